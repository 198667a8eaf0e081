/** Size limits of a sweep, enforced before anything is expanded. Deployments may override them. */
export interface SweepLimits {
  /** Parameter points in one sweep. */
  readonly maxPoints: number;
  /** Virtual patients simulated at each point. */
  readonly maxPatientsPerPoint: number;
  /** Simulations in one sweep (points × patients) that keeps every outcome row (`outcomes: full`). */
  readonly maxSimulations: number;
  /** Simulations in one `outcomes: summary` sweep (tables only); 10⁹ unless set. */
  readonly maxSummarySimulations?: number;
  /**
   * Work chunks in one sweep: ⌈points × patients / chunkSize⌉ (a chunk spans small points and
   * splits large ones). Bounds the chunk rows a sweep leaves behind; under BullMQ's priority ordinal
   * cap (699,049), so every chunk keeps its place in the fair interleaving of sweeps.
   */
  readonly maxChunksPerSweep: number;
  /**
   * Chunks of one sweep given rows and queue jobs at once (the enqueue window): Redis holds at most
   * this many jobs of a sweep, whatever its size; each finished chunk queues the next. Default
   * `defaultChunkWindow`.
   */
  readonly chunkWindow?: number;
  /**
   * A sweep of more points than this is answered 202 once its first batch of points is written (every
   * point is checked before); the rest are written after the reply, batch by batch, while its first
   * chunks already run. Default `defaultPointsBeforeReply`.
   */
  readonly pointsBeforeReply?: number;
  /** Request body in bytes (the HTTP layer enforces it; parseSweepSpec does for text input). */
  readonly maxBodyBytes: number;
}

/** The cap of a `summary` sweep when a deployment sets none. */
export const defaultMaxSummarySimulations = 1_000_000_000;

/** 1 MiB: a generous grid spec is a few kB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Chunks of one sweep queued at once unless the deployment's limits say otherwise (SweepLimits.chunkWindow). */
export const defaultChunkWindow = 1_000;

/** Designs of more points are answered after their first batch (SweepLimits.pointsBeforeReply): ~0.3 s of writes at most. */
export const defaultPointsBeforeReply = 5_000;

export const defaultSweepLimits: SweepLimits = Object.freeze({
  maxPoints: 100_000,
  maxPatientsPerPoint: 1_000_000,
  maxSimulations: 10_000_000,
  maxSummarySimulations: defaultMaxSummarySimulations,
  maxChunksPerSweep: 500_000,
  chunkWindow: defaultChunkWindow,
  pointsBeforeReply: defaultPointsBeforeReply,
  maxBodyBytes: DEFAULT_BODY_LIMIT_BYTES,
});

/**
 * Smallest default simulations per chunk (of one point or spanning several): ~0.5–1 s of CPU at the kernel's
 * 0.2–0.5 ms per patient — long enough that a chunk's bookkeeping (queue round trips, one write transaction)
 * costs a few percent, short enough to spread a sweep over many workers and to lose little to a crash.
 * Sweeps up to `defaultChunksPerSweep` × this many simulations (4·10⁶) use it.
 */
export const defaultChunkSize = 2_000;

/** Chunks a sweep is cut into by default once its chunks grow past defaultChunkSize. */
export const defaultChunksPerSweep = 2_000;

/** Largest default chunk, reached at 4·10⁷ simulations. */
export const largestDefaultChunkSize = 20_000;

/**
 * Simulations per chunk when the spec names none, for a sweep of `simulations`: 2,000 up to 4·10⁶, then
 * the sweep cut into 2,000 chunks, up to 20,000 a chunk from 4·10⁷. Why it grows (docs/benchmarks.md,
 * issue 13): each chunk costs the coordinator ~6 ms of Postgres CPU whatever its size, so a 10⁸ sweep in
 * chunks of 20,000 takes a third of the coordinator CPU it takes in 2,000s; why not sooner: at 10⁵
 * simulations on 2 threads, chunks of 20,000 leave a long tail (end to end 0.76–0.95 of the kernel, 0.96–0.99
 * at 2,000).
 */
export function defaultChunkSizeFor(simulations: number): number {
  const cut = Math.ceil(simulations / defaultChunksPerSweep);
  return Math.min(largestDefaultChunkSize, Math.max(defaultChunkSize, cut));
}
