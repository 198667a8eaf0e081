/**
 * Virtual-trial power: how often a two-arm trial of n patients per arm, drawn from each arm's simulated
 * cohort, would reach two-sided log-rank p < α. Each virtual trial draws patients with replacement, enrols
 * them uniformly over the accrual period and analyses at the end of follow-up (accrual + follow-up), so a
 * patient enrolled at e is censored at accrual + follow-up − e. Beside the Monte Carlo power (with its
 * Clopper–Pearson interval): Schoenfeld's approximation from the cohorts' pooled hazard ratio and the
 * expected number of events. Deterministic for a seed.
 */
import { coxPhByGroup } from './cox-groups.js';
import { type SurvivalInput, SurvivalInputError } from './input.js';
import { logRank } from './log-rank.js';
import { normalQuantile } from './normal.js';
import { clopperPearson, normalCdf } from './power-interval.js';
import { seededUniform } from './random.js';
import { tabulate } from './survival-table.js';

/** Bounds on the work one call may do; the errors name them. */
export const POWER_LIMITS = {
  maxReplicates: 100_000,
  maxPatientsPerArm: 100_000,
  maxSampleSizes: 50,
  /** replicates × Σ (2 × patientsPerArm): patients drawn in all virtual trials. */
  maxPatientDraws: 50_000_000,
} as const;

export interface VirtualTrialPowerInput {
  /** The control arm's simulated cohort (raw rows or per-time counts). */
  readonly reference: SurvivalInput;
  /** The experimental arm's simulated cohort. */
  readonly treatment: SurvivalInput;
  readonly patientsPerArm: readonly number[];
  readonly alpha: number;
  readonly replicates: number;
  readonly accrualDays: number;
  readonly followUpDays: number;
  readonly seed: number;
}

export interface PowerAtSampleSize {
  readonly patientsPerArm: number;
  readonly replicates: number;
  /** Virtual trials with two-sided log-rank p < α. */
  readonly rejections: number;
  readonly power: number;
  /** Clopper–Pearson 95% interval of the power. */
  readonly lower: number;
  readonly upper: number;
  /** Expected events in the trial (both arms) under its accrual and follow-up. */
  readonly expectedEvents: number;
  /** Schoenfeld: Φ(|log HR| √(D/4) − z₁₋α/₂) with D the expected events, 1:1 allocation. */
  readonly schoenfeld: number;
}

export interface VirtualTrialPowerResult {
  /** Pooled hazard ratio of treatment vs reference over the full cohorts (coxPh, Efron ties). */
  readonly hazardRatio: number;
  readonly rows: PowerAtSampleSize[];
}

export class PowerInputError extends SurvivalInputError {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`virtualTrialPower: ${field} ${rule}`);
  }
}

/** A cohort as cells (time, event or not) with cumulative counts, to draw patients by binary search. */
interface Cohort {
  readonly time: Float64Array;
  readonly event: Uint8Array;
  readonly cumulative: Float64Array;
  readonly size: number;
}

function cohortOf(input: SurvivalInput, where: string): Cohort {
  const table = tabulate(input, where);
  const time: number[] = [];
  const event: number[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < table.time.length; i++) {
    for (const [count, dead] of [
      [table.nEvent[i]!, 1],
      [table.nCensor[i]!, 0],
    ] as const) {
      if (count === 0) continue;
      total += count;
      time.push(table.time[i]!);
      event.push(dead);
      cumulative.push(total);
    }
  }
  return {
    time: Float64Array.from(time),
    event: Uint8Array.from(event),
    cumulative: Float64Array.from(cumulative),
    size: total,
  };
}

/** Index of the cell holding patient number `patient` (0-based) of the cohort. */
function cellOf(cohort: Cohort, patient: number): number {
  let low = 0;
  let high = cohort.cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cohort.cumulative[middle]! > patient) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** P(event observed by the analysis) for a cohort patient enrolled uniformly over the accrual period. */
function eventProbability(cohort: Cohort, accrualDays: number, analysisDay: number): number {
  let sum = 0;
  let previous = 0;
  for (let c = 0; c < cohort.time.length; c++) {
    const count = cohort.cumulative[c]! - previous;
    previous = cohort.cumulative[c]!;
    if (cohort.event[c] !== 1) continue;
    const room = analysisDay - cohort.time[c]!; // latest entry day that still sees this event
    const p = accrualDays === 0 ? (room >= 0 ? 1 : 0) : Math.min(1, Math.max(0, room / accrualDays));
    sum += count * p;
  }
  return sum / cohort.size;
}

function checkNumber(field: string, value: unknown, rule: string, ok: (x: number) => boolean): number {
  if (typeof value !== 'number' || !ok(value))
    throw new PowerInputError(field, `is ${String(value)}; ${rule}`);
  return value;
}

export function virtualTrialPower(input: VirtualTrialPowerInput): VirtualTrialPowerResult {
  const alpha = checkNumber('alpha', input.alpha, 'must be in (0, 1)', (x) => x > 0 && x < 1);
  const replicates = checkNumber(
    'replicates',
    input.replicates,
    `must be an integer from 1 to ${POWER_LIMITS.maxReplicates} (maxReplicates)`,
    (x) => Number.isInteger(x) && x >= 1 && x <= POWER_LIMITS.maxReplicates,
  );
  const accrualDays = checkNumber(
    'accrualDays',
    input.accrualDays,
    'must be a finite number ≥ 0',
    (x) => x >= 0 && x < Infinity,
  );
  const followUpDays = checkNumber(
    'followUpDays',
    input.followUpDays,
    'must be a finite number ≥ 0',
    (x) => x >= 0 && x < Infinity,
  );
  const seed = checkNumber('seed', input.seed, 'must be a finite number', Number.isFinite);
  const sizes = input.patientsPerArm;
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > POWER_LIMITS.maxSampleSizes) {
    throw new PowerInputError(
      'patientsPerArm',
      `must list 1 to ${POWER_LIMITS.maxSampleSizes} sample sizes (maxSampleSizes)`,
    );
  }
  sizes.forEach((m, i) => {
    checkNumber(
      `patientsPerArm[${i}]`,
      m,
      `must be an integer from 2 to ${POWER_LIMITS.maxPatientsPerArm} (maxPatientsPerArm)`,
      (x) => Number.isInteger(x) && x >= 2 && x <= POWER_LIMITS.maxPatientsPerArm,
    );
  });
  const draws = replicates * sizes.reduce((sum, m) => sum + 2 * m, 0);
  if (draws > POWER_LIMITS.maxPatientDraws) {
    throw new PowerInputError(
      'replicates × patientsPerArm',
      `draws ${draws} patients (replicates × Σ 2 × patientsPerArm), over the limit ${POWER_LIMITS.maxPatientDraws} (maxPatientDraws)`,
    );
  }
  const arms = [cohortOf(input.reference, 'reference'), cohortOf(input.treatment, 'treatment')];
  const fit = coxPhByGroup([input.reference, input.treatment], { names: ['treatment'] });
  const hazardRatio = fit.terms[0]!.hazardRatio;

  const analysisDay = accrualDays + followUpDays;
  const eventShare = arms.map((arm) => eventProbability(arm, accrualDays, analysisDay));
  const zAlpha = normalQuantile(1 - alpha / 2);
  const uniform = seededUniform(seed);

  const rows = sizes.map((m): PowerAtSampleSize => {
    const trialTime = [new Float64Array(m), new Float64Array(m)];
    const trialEvent = [new Array<boolean>(m), new Array<boolean>(m)];
    let rejections = 0;
    for (let r = 0; r < replicates; r++) {
      arms.forEach((arm, g) => {
        const time = trialTime[g]!;
        const event = trialEvent[g]!;
        for (let i = 0; i < m; i++) {
          const cell = cellOf(arm, Math.floor(uniform() * arm.size));
          const entry = uniform() * accrualDays;
          const followed = analysisDay - entry;
          const t = arm.time[cell]!;
          if (t <= followed) {
            time[i] = t;
            event[i] = arm.event[cell] === 1;
          } else {
            time[i] = followed; // administrative censoring at the analysis
            event[i] = false;
          }
        }
      });
      const test = logRank([
        { time: trialTime[0]!, event: trialEvent[0]! },
        { time: trialTime[1]!, event: trialEvent[1]! },
      ]);
      if (test.pValue < alpha) rejections++;
    }
    const expectedEvents = m * (eventShare[0]! + eventShare[1]!);
    const [lower, upper] = clopperPearson(rejections, replicates);
    return {
      patientsPerArm: m,
      replicates,
      rejections,
      power: rejections / replicates,
      lower,
      upper,
      expectedEvents,
      schoenfeld: normalCdf(Math.abs(Math.log(hazardRatio)) * Math.sqrt(expectedEvents / 4) - zAlpha),
    };
  });
  return { hazardRatio, rows };
}
