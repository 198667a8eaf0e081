// The installable `frontline` command: one file with every dependency inside (the workspace packages
// from source, commander, yaml, cli-progress), so `npm i -g <tarball>` needs no registry.
import { chmod, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outfile = new URL('../dist/frontline.js', import.meta.url).pathname;
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Workspace packages from their TypeScript source, as in development.
  conditions: ['@frontline/source'],
  // main.ts's own `#!/usr/bin/env node` line is kept by esbuild; CommonJS dependencies get a require.
  banner: {
    js: "import { createRequire as frontlineRequire } from 'node:module'; const require = frontlineRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
