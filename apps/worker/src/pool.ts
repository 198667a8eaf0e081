import { Piscina } from 'piscina';
import type { SimulateChunkTask } from './simulate-task.js';

// Run as source (tsx) the task file is .ts, built it is .js; threads inherit execArgv either way.
const taskFile = new URL(
  `./simulate-task${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

type SimulateChunkResult = Awaited<ReturnType<typeof import('./simulate-task.js').default>>;

/**
 * The simulation threads, counting the tasks handed to them: piscina reports only a long-run
 * utilization, and the queue view needs how many threads run a chunk now.
 */
export class SimulationPool extends Piscina<SimulateChunkTask, SimulateChunkResult> {
  #tasks = 0;

  override async run(...args: Parameters<Piscina<SimulateChunkTask, SimulateChunkResult>['run']>) {
    this.#tasks += 1;
    try {
      return await super.run(...args);
    } finally {
      this.#tasks -= 1;
    }
  }

  /** Threads running a task now: tasks handed over, capped by the pool's size (the rest wait in its queue). */
  get busyThreads(): number {
    return Math.min(this.#tasks, this.maxThreads);
  }
}

export function createSimulationPool(threads: number): SimulationPool {
  return new SimulationPool({
    filename: taskFile.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
}
