import Module from 'node:module';
import { fileURLToPath } from 'node:url';

// Benchmark only (coordinator ceiling, bench/ceiling.ts). `node --import <this file>` runs in the
// worker's main thread and again in every piscina thread (threads inherit execArgv): there the
// simulation task resolves to the stand-in, which returns precomputed outcomes, so the worker does
// no model work and the run measures what the API, Redis and Postgres absorb. Lives outside src/:
// production never imports it (the same swap as the fault tests' test/support/fault-preload.mjs).
const realTask = fileURLToPath(new URL('../src/simulate-task.ts', import.meta.url));
const standInTask = fileURLToPath(new URL('./stand-in-simulate-task.ts', import.meta.url));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveStandInTask(request, parent, ...rest) {
  const resolved = resolveFilename.call(this, request, parent, ...rest);
  return resolved === realTask && parent?.filename !== standInTask ? standInTask : resolved;
};
