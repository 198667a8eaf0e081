/**
 * Postgres bytes one stored simulation costs, per outcome retention mode: the dry run's storage
 * estimate. Provisional figures from the issue (~200 B per full row with its share of indexes,
 * ~8 B per simulation in the survival tables and summaries) until the storage benchmark measures
 * them; they live only here.
 */
export const storageBytesPerSimulation = { full: 200, summary: 8 } as const;

/** Estimated Postgres bytes a sweep adds when it simulates `simulations` patients, per retention mode. */
export function storageEstimate(simulations: number): { full: number; summary: number } {
  return {
    full: simulations * storageBytesPerSimulation.full,
    summary: simulations * storageBytesPerSimulation.summary,
  };
}
