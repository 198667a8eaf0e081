import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultClientConditions, defineConfig } from 'vite';

/** The nearest running local stack's API (its `.frontline/stack.json`, searched upwards from here). */
function localStackApiUrl(): string | undefined {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const file = join(dir, '.frontline', 'stack.json');
    if (existsSync(file)) {
      try {
        const stack = JSON.parse(readFileSync(file, 'utf8'));
        return typeof stack.apiUrl === 'string' ? stack.apiUrl : undefined;
      } catch {
        return undefined; // a stack file being rewritten: fall back to the default
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

// The dev server's proxy target: the one setting of a browser app that has no env.ts of its own.
const apiUrl = process.env.FRONTLINE_API_URL || localStackApiUrl() || 'http://127.0.0.1:8080';

// The API serves the built app at `/`; in `vite` dev mode, API calls are forwarded to a running API.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  // Runtime imports of workspace packages (the shared formatters of @frontline/contracts) read their
  // live source, as tests and dev do; a package's dist/ need not be built first.
  resolve: { conditions: ['@frontline/source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1_000 },
  server: {
    proxy: Object.fromEntries(['/v1', '/admin', '/metrics', '/docs'].map((path) => [path, apiUrl])),
  },
});
