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
   * Work chunks in one sweep: points × ⌈patients / chunkSize⌉ (a chunk never spans points). Bounds
   * the rows, queue jobs and Redis memory one submission makes and the work to cancel it.
   */
  readonly maxChunksPerSweep: number;
  /** Request body in bytes (the HTTP layer enforces it; parseSweepSpec does for text input). */
  readonly maxBodyBytes: number;
}

/** The cap of a `summary` sweep when a deployment sets none. */
export const defaultMaxSummarySimulations = 1_000_000_000;

/** 1 MiB: a generous grid spec is a few kB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export const defaultSweepLimits: SweepLimits = Object.freeze({
  maxPoints: 100_000,
  maxPatientsPerPoint: 1_000_000,
  maxSimulations: 10_000_000,
  maxSummarySimulations: defaultMaxSummarySimulations,
  maxChunksPerSweep: 10_000,
  maxBodyBytes: DEFAULT_BODY_LIMIT_BYTES,
});

/**
 * Default patients per chunk: ~0.5–1 s of CPU at the kernel's 0.2–0.5 ms per patient — long enough
 * that a chunk's bookkeeping (queue round trips, one write transaction) costs a few percent, short
 * enough to spread a sweep over many workers and to lose little to a crash.
 */
export const defaultChunkSize = 2_000;
