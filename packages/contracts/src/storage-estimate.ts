/**
 * Postgres bytes one stored simulation costs, per outcome retention mode: the dry run's storage
 * estimate. Measured by the storage benchmark (docs/benchmarks.md, "Survival tables"): `full` ≈ 275 B
 * (an outcome row with its primary key; the tables add 0.5–11 B); `summary` is the per-sweep tables
 * only, whose size is per point, so per simulation it falls with the cohort: 0.5 B at 100,000
 * patients per point, 11 B at 1,000. The estimate takes the conservative 11 B. They live only here.
 */
export const storageBytesPerSimulation = { full: 275, summary: 11 } as const;

/** Estimated Postgres bytes a sweep adds when it simulates `simulations` patients, per retention mode. */
export function storageEstimate(simulations: number): { full: number; summary: number } {
  return {
    full: simulations * storageBytesPerSimulation.full,
    summary: simulations * storageBytesPerSimulation.summary,
  };
}
