import { defineConfig, type Plugin } from 'vite';

/** In dev, `/sw.js` is the worker's source, compiled on the fly (module worker). */
function serviceWorkerFromSource(): Plugin {
  return {
    name: 'tile-accelerator:dev-service-worker',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url === '/sw.js') req.url = '/src/sw/sw.ts';
        next();
      });
    },
  };
}

const ROOT_WORKERS = new Set(['sw', 'workbox-sw']);

// `vite build` (dist/: tests, benchmarks) builds the demo and the bench pages;
// `vite build --mode demo` (lib/demo/ in the package, scripts/build-lib.mjs)
// only the demo page and its worker.
export default defineConfig(({ mode }) => ({
  plugins: [serviceWorkerFromSource()],
  // Static files of the demo, copied as they are (publicDir's default, said once).
  publicDir: 'public',
  server: {
    // `npm run dev`: the page from Vite, the API from a companion on 8787.
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
  build: {
    target: 'es2022',
    rolldownOptions: {
      input: {
        main: 'index.html',
        sw: 'src/sw/sw.ts',
        // The bench's baseline page and its Workbox worker (npm run bench).
        ...(mode === 'demo' ? {} : { bench: 'bench/pages/bench.html', 'workbox-sw': 'bench/workers/workbox-sw.ts' }),
      },
      output: {
        // Workers keep a stable name at the root so their scope is `/`.
        entryFileNames: (chunk) => (ROOT_WORKERS.has(chunk.name) ? `${chunk.name}.js` : 'assets/[name]-[hash].js'),
      },
    },
  },
}));
