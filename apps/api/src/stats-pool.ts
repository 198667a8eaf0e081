/**
 * A pool of worker threads for a request's statistics, so no request can block the event loop (and
 * with it /healthz, key checks and every other tenant). Each task has a time budget (the thread is
 * stopped past it) and each thread a heap limit; either answers 503 naming the budget, never a hang.
 */
import { Piscina } from 'piscina';
import { RetryableError } from './capacity.js';
import { packedCellsOfGroups } from './group-cells.js';
import type { HazardRatiosResult, HazardRatiosTask, PowerResult, PowerTask } from './hazard-stats.js';
import type { SensitivityResult, SensitivityTask } from './sensitivity.js';
import type runStatsTask from './stats-task.js';
import type {
  EndpointView,
  PointStatsTask,
  StatsTask,
  SurvivalStatsResult,
  SurvivalStatsTask,
  SurvivalTestsResult,
} from './stats-task.js';
import { type GroupTexts, joinSurvivalGroups } from './survival-summary.js';

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

/**
 * 0 … n − 1 in contiguous slices, two per thread (so a thread that ends its first slice early takes
 * another) — one slice with a single thread.
 */
export function slices(n: number, threads: number): number[][] {
  const count = threads < 2 ? 1 : Math.min(n, 2 * threads);
  return Array.from({ length: count }, (_, k) => {
    const from = Math.floor((k * n) / count);
    const to = Math.floor(((k + 1) * n) / count);
    return Array.from({ length: to - from }, (_, i) => from + i);
  });
}

export function createStatsPool(options: StatsPoolOptions): StatsPool {
  const piscina = new Piscina<StatsTask, ReturnType<typeof runStatsTask>>({
    filename: taskFile.href,
    // Every thread started up front: a request splits its work over all of them (survival, points).
    minThreads: options.threads,
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

  /**
   * A survival request's work split over the threads: its tests in one task, its groups' curves (and their
   * JSON, the larger part) in a few slices, run at once, so one request uses the idle cores (the event loop
   * only waits meanwhile). The same answer, to the byte, as one task (test/stats-split.test.ts).
   */
  async function survival(task: Omit<SurvivalStatsTask, 'kind'>): Promise<SurvivalStatsResult> {
    const groups = task.heads.length;
    if (options.threads < 2 || groups < 2)
      return (await run({ kind: 'survival', ...task })) as SurvivalStatsResult;
    const { cells, stratified, comparison, heads, taus, at, maxPoints } = task;
    const tests = run({
      kind: 'survivalTests',
      cells,
      stratified,
      comparison,
      groups,
    }) as Promise<SurvivalTestsResult>;
    const curves = slices(groups, options.threads).map(
      (members) =>
        run({
          kind: 'survivalCurves',
          cells: packedCellsOfGroups(cells, members),
          heads,
          taus,
          at,
          groups: members,
          ...(maxPoints === undefined ? {} : { maxPoints }),
        }) as Promise<GroupTexts>,
    );
    const [{ overall, logRanks }, ...parts] = await Promise.all([tests, ...curves]);
    return { overall, groups: joinSurvivalGroups(parts, logRanks) };
  }

  /** The points' summaries in slices over the threads, concatenated in order. */
  async function points(task: Omit<PointStatsTask, 'kind'>) {
    const parts = slices(task.taus.length, options.threads).map((members) => {
      const pointIds = members.map((i) => task.pointIds[i]!);
      const own = new Set(pointIds);
      return run({
        kind: 'points',
        pointIds,
        os: task.os.filter((row) => own.has(row.pointId)),
        pfs: task.pfs.filter((row) => own.has(row.pointId)),
        taus: members.map((i) => task.taus[i]!),
        at: task.at,
      }) as Promise<{ os: EndpointView; pfs: EndpointView }[]>;
    });
    return (await Promise.all(parts)).flat();
  }

  return {
    survival,
    points,
    sensitivity: (task) => run({ kind: 'sensitivity', ...task }) as Promise<SensitivityResult>,
    hazardRatios: (task) => run({ kind: 'hazardRatios', ...task }) as Promise<HazardRatiosResult>,
    power: (task) => run({ kind: 'power', ...task }) as Promise<PowerResult>,
    close: () => piscina.close({ force: true }),
  };
}
