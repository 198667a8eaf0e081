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
  /** Request body in bytes (the HTTP layer enforces it; parseSweepSpec does for text input). */
  readonly maxBodyBytes: number;
}

/** The cap of a `summary` sweep when a deployment sets none. */
export const defaultMaxSummarySimulations = 1_000_000_000;

/** 1 MiB: a generous grid spec is a few kB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Chunks of one sweep queued at once unless the deployment's limits say otherwise (SweepLimits.chunkWindow). */
export const defaultChunkWindow = 1_000;

export const defaultSweepLimits: SweepLimits = Object.freeze({
  maxPoints: 100_000,
  maxPatientsPerPoint: 1_000_000,
  maxSimulations: 10_000_000,
  maxSummarySimulations: defaultMaxSummarySimulations,
  maxChunksPerSweep: 500_000,
  chunkWindow: defaultChunkWindow,
  maxBodyBytes: DEFAULT_BODY_LIMIT_BYTES,
});

/**
 * Default simulations per chunk (of one point or spanning several): ~0.5–1 s of CPU at the kernel's 0.2–0.5 ms per patient — long enough
 * that a chunk's bookkeeping (queue round trips, one write transaction) costs a few percent, short
 * enough to spread a sweep over many workers and to lose little to a crash.
 */
export const defaultChunkSize = 2_000;
