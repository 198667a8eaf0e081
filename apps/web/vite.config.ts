import { defineConfig } from 'vite';

// The API serves the built app at `/`; in `vite` dev mode, API calls go to a local API instead.
const api = process.env.FRONTLINE_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1_000 },
  server: {
    proxy: { '/v1': api, '/admin': api, '/metrics': api, '/docs': api },
  },
});
