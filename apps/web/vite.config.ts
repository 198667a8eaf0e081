import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

/** The running local stack's API (from .frontline/stack.json), unless FRONTLINE_API_URL says otherwise. */
function apiUrl(): string {
  if (process.env.FRONTLINE_API_URL) return process.env.FRONTLINE_API_URL;
  try {
    const stack = JSON.parse(readFileSync(new URL('../../.frontline/stack.json', import.meta.url), 'utf8'));
    if (typeof stack.apiUrl === 'string') return stack.apiUrl;
  } catch {
    // no stack running
  }
  return 'http://127.0.0.1:8080';
}

// The API serves the built app at `/`; in `vite` dev mode, API calls are forwarded to a running API.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1_000 },
  server: {
    proxy: Object.fromEntries(['/v1', '/admin', '/metrics', '/docs'].map((path) => [path, apiUrl()])),
  },
});
