/**
 * A pool of worker threads for a request's statistics, so no request can block the event loop (and
 * with it /healthz, key checks and every other tenant). Each task has a time budget (the thread is
 * stopped past it) and each thread a heap limit; either answers 503 naming the budget, never a hang.
 */
import { Piscina } from 'piscina';
import { RetryableError } from './capacity.js';
import type { HazardRatiosResult, HazardRatiosTask, PowerResult, PowerTask } from './hazard-stats.js';
import type { SensitivityResult, SensitivityTask } from './sensitivity.js';
import type runStatsTask from './stats-task.js';
import type {
  EndpointView,
  PointStatsTask,
  StatsTask,
  SurvivalStatsResult,
  SurvivalStatsTask,
} from './stats-task.js';

// Run as source (tsx, vitest) the task file is .ts and the thread needs tsx and the source condition.
const fromSource = import.meta.url.endsWith('.ts');
const taskFile = new URL(`./stats-task${fromSource ? '.ts' : '.js'}`, import.meta.url);

export interface StatsPoolOptions {
  threads: number;
  timeoutMs: number;
  memoryMb: number;
}

export interface StatsPool {
  survival(task: Omit<SurvivalStatsTask, 'kind'>): Promise<SurvivalStatsResult>;
  points(task: Omit<PointStatsTask, 'kind'>): Promise<{ os: EndpointView; pfs: EndpointView }[]>;
  sensitivity(task: Omit<SensitivityTask, 'kind'>): Promise<SensitivityResult>;
  hazardRatios(task: Omit<HazardRatiosTask, 'kind'>): Promise<HazardRatiosResult>;
  power(task: Omit<PowerTask, 'kind'>): Promise<PowerResult>;
  close(): Promise<void>;
}

export function createStatsPool(options: StatsPoolOptions): StatsPool {
  const piscina = new Piscina<StatsTask, ReturnType<typeof runStatsTask>>({
    filename: taskFile.href,
    minThreads: 1,
    maxThreads: options.threads,
    idleTimeout: 60_000,
    // Past the heavy gate's bound, a task waiting here would only wait longer: refuse instead.
    maxQueue: 64,
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    execArgv: fromSource ? ['--conditions=@frontline/source', '--import', 'tsx'] : [],
  });

  async function run(task: StatsTask) {
    const budget = AbortSignal.timeout(options.timeoutMs);
    try {
      return await piscina.run(task, { signal: budget });
    } catch (error) {
      if (budget.aborted)
        throw new RetryableError(
          'unavailable',
          `computing these statistics took longer than the ${options.timeoutMs} ms budget (STATS_TIMEOUT_MS); ` +
            'ask for fewer groups (groupBy with fewer values) or retry when the API is less busy',
          5,
        );
      const code = (error as { code?: string }).code;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY')
        throw new RetryableError(
          'unavailable',
          `computing these statistics needed more than the ${options.memoryMb} MB budget (STATS_MEMORY_MB); ` +
            'ask for fewer groups (groupBy with fewer values)',
          5,
        );
      if (/queue is at limit/i.test((error as Error).message ?? ''))
        throw new RetryableError('unavailable', 'the statistics threads are all busy; retry shortly', 2);
      throw error;
    }
  }

  return {
    survival: (task) => run({ kind: 'survival', ...task }) as Promise<SurvivalStatsResult>,
    points: (task) => run({ kind: 'points', ...task }) as Promise<{ os: EndpointView; pfs: EndpointView }[]>,
    sensitivity: (task) => run({ kind: 'sensitivity', ...task }) as Promise<SensitivityResult>,
    hazardRatios: (task) => run({ kind: 'hazardRatios', ...task }) as Promise<HazardRatiosResult>,
    power: (task) => run({ kind: 'power', ...task }) as Promise<PowerResult>,
    close: () => piscina.close({ force: true }),
  };
}
