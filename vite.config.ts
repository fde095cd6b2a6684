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

export default defineConfig({
  plugins: [serviceWorkerFromSource()],
  server: {
    // `npm run dev`: the page from Vite, the API from a companion on 8787.
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
  build: {
    target: 'es2022',
    rolldownOptions: {
      input: { main: 'index.html', sw: 'src/sw/sw.ts' },
      output: {
        // The worker keeps a stable name at the root so its scope is `/`.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
