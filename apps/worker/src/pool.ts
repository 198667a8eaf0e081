import { Piscina } from 'piscina';
import type { SimulateChunkTask } from './simulate-task.js';

// Run as source (tsx) the task file is .ts, built it is .js; threads inherit execArgv either way.
const taskFile = new URL(
  `./simulate-task${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

export type SimulationPool = Piscina<
  SimulateChunkTask,
  Awaited<ReturnType<typeof import('./simulate-task.js').default>>
>;

export function createSimulationPool(threads: number): SimulationPool {
  return new Piscina({
    filename: taskFile.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
}
