/**
 * Kaplan–Meier estimate with Greenwood standard errors and R's default log-scale confidence interval,
 * reproducing `summary(survfit(Surv(time, status) ~ 1))` row for row at the event times.
 */
import type { SurvivalInput } from './input.js';
import { SurvivalInputError } from './input.js';
import { twoSidedCriticalValue } from './normal.js';
import { mergeNearTies, type SurvivalTable, tabulate } from './survival-table.js';

export interface KaplanMeierOptions {
  /** Confidence level of the pointwise interval (default 0.95). */
  readonly confLevel?: number;
  /** Merge times that differ only by floating-point noise, as R's `timefix = TRUE` does (default true). */
  readonly timefix?: boolean;
}

/**
 * One row per distinct event time (censor-only times get no row, unlike R's survfit, but censorings between
 * event times still leave the risk set before the next row). Undefined values are NaN: at S = 0 the
 * Greenwood term is infinite, so `stdErr` is NaN (R prints NaN) and `lower`/`upper` are NaN (R: NA).
 */
export interface SurvivalCurve {
  readonly time: number[];
  /** Subjects at risk just before `time` (time ≥ t). */
  readonly nRisk: number[];
  readonly nEvent: number[];
  /** Censorings at exactly `time`; by convention they happen after the events at that time. */
  readonly nCensor: number[];
  /** S(t) just after `time`. */
  readonly survival: number[];
  /** Greenwood standard error of S (R's summary std.err), S·√Σ d/(n(n − d)). */
  readonly stdErr: number[];
  readonly lower: number[];
  readonly upper: number[];
  /** Subjects in the group. */
  readonly n: number;
  /** Events in the group. */
  readonly events: number;
  /** Largest follow-up time, event or censoring: where the estimate's support ends. */
  readonly maxTime: number;
  readonly confLevel: number;
}

export function kaplanMeier(input: SurvivalInput, options: KaplanMeierOptions = {}): SurvivalCurve {
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1)) {
    throw new SurvivalInputError(
      `kaplanMeier: confLevel must be between 0 and 1 (exclusive), got ${confLevel}`,
    );
  }
  let table = tabulate(input, 'kaplanMeier');
  if (options.timefix ?? true) table = mergeNearTies(table);
  return curveFromTable(table, confLevel);
}

export function curveFromTable(table: SurvivalTable, confLevel: number): SurvivalCurve {
  const z = twoSidedCriticalValue(confLevel);
  const rows = table.time.length;
  // Filled by push, not pre-sized: `new Array(n)` makes holey arrays, which JSON.stringify prints ~1.5×
  // (doubles) to ~2.5× (integers) slower than packed ones — the curves' JSON is most of a survival answer.
  const time: number[] = [];
  const nRisk: number[] = [];
  const nEvent: number[] = [];
  const nCensor: number[] = [];
  const survival: number[] = [];
  const stdErr: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  let atRisk = table.n;
  let s = 1;
  let greenwood = 0;
  let events = 0;
  for (let i = 0; i < rows; i++) {
    const d = table.nEvent[i]!;
    const c = table.nCensor[i]!;
    if (d > 0) {
      // The product and Greenwood sum are accumulated as in survfitkm.c, so S agrees with R to the last bit.
      s *= (atRisk - d) / atRisk;
      greenwood += d / (atRisk * (atRisk - d)); // Infinity when everyone at risk has the event
      const seLog = Math.sqrt(greenwood);
      time.push(table.time[i]!);
      nRisk.push(atRisk);
      nEvent.push(d);
      nCensor.push(c);
      survival.push(s);
      stdErr.push(s * seLog); // 0 · ∞ = NaN, as in R
      if (s === 0) {
        lower.push(Number.NaN);
        upper.push(Number.NaN);
      } else {
        // R computes exp(log S ∓ z·se); S·e^{∓z·se} is the same number to rounding, with one exp.
        const factor = Math.exp(z * seLog);
        lower.push(s / factor);
        upper.push(Math.min(s * factor, 1));
      }
      events += d;
    }
    atRisk -= d + c;
  }
  const maxTime = table.time[rows - 1]!;
  return {
    time,
    nRisk,
    nEvent,
    nCensor,
    survival,
    stdErr,
    lower,
    upper,
    n: table.n,
    events,
    maxTime,
    confLevel,
  };
}
