/**
 * The library build (`npm run build:lib`): one ES module per public entry,
 * `tile-accelerator/sw` and `tile-accelerator/client`, into `lib/`.
 * Dependencies stay imports (the host's bundler dedupes them, e.g. one
 * workbox-routing router for host and accelerator); declarations come from
 * `tsc` (src/sw/tsconfig.lib.json, src/client/tsconfig.lib.json), because each
 * entry needs its own `lib` (WebWorker vs DOM).
 */
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const manifest = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const dependencies = Object.keys(manifest.dependencies);

export default defineConfig({
  publicDir: false,
  build: {
    target: 'es2022',
    outDir: 'lib',
    emptyOutDir: false, // the declarations live beside the modules
    sourcemap: true,
    minify: false,
    lib: {
      entry: { sw: 'src/sw/index.ts', client: 'src/client/index.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      external: (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    },
  },
});
