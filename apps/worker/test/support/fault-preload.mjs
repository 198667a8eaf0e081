import Module from 'node:module';
import { fileURLToPath } from 'node:url';

// Test only. `node --import <this file>` runs in the worker's main thread and again in every piscina
// thread (threads inherit execArgv): there the simulation task resolves to the faulty task, which
// wraps the real one. Piscina loads its task with require() (tsx compiles it), so the swap is made
// where require resolves a file. Plain JS: a thread loads its preloads before tsx compiles anything.
const realTask = fileURLToPath(new URL('../../src/simulate-task.ts', import.meta.url));
const faultyTask = fileURLToPath(new URL('./faulty-simulate-task.ts', import.meta.url));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveFaultyTask(request, parent, ...rest) {
  const resolved = resolveFilename.call(this, request, parent, ...rest);
  return resolved === realTask && parent?.filename !== faultyTask ? faultyTask : resolved;
};
