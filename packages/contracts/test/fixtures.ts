/** A spec as tests build it: mutated freely, including into invalid shapes. */
// biome-ignore lint/suspicious/noExplicitAny: deliberately untyped test input
export type LooseSpec = Record<string, any>;

/** The spec from the issue, fresh on every call so tests can mutate it. */
export function issueSpec(): LooseSpec {
  return {
    name: 'dose x immunity x plasticity',
    design: {
      kind: 'grid',
      axes: { dose: [0, 1, 2, 5], immuneKill: [0.01, 0.035, 0.1], emtPlasticity: [0.1, 1, 10] },
    },
    cohort: { patients: 500, seed: 42 },
    params: { horizonDays: 730 },
    referenceArm: { dose: 0 },
    priority: 'normal',
  };
}

export function sampledSpec(kind: 'lhs' | 'sobol', samples: number): LooseSpec {
  return {
    name: `${kind} screen`,
    design: {
      kind,
      samples,
      seed: 7,
      axes: {
        dose: { min: 0, max: 10 },
        seedingRate: { min: 1e-6, max: 1e-4, scale: 'log' },
        leaderSuppression: { min: 0, max: 5, scale: 'linear' },
      },
    },
    cohort: { patients: 200, seed: 3, chunkSize: 50 },
  };
}
