/**
 * The few numbers of a Kaplan–Meier curve that a summary row shows (median with its limits, S at given
 * times, the restricted mean), in one pass without building the curve's rows: the heatmap's `points`
 * asks this of 2 endpoints × every point. Each number is computed by the same operations, in the same
 * order, as kaplanMeier → medianSurvival(rule 'print') / survivalEstimateAt / rmst, so they are equal
 * to the last bit (test/km-summary.test.ts).
 */
import type { SurvivalInput } from './input.js';
import { SurvivalInputError } from './input.js';
import { twoSidedCriticalValue } from './normal.js';
import { mergeNearTies, TIME_TOLERANCE, tabulate } from './survival-table.js';

export interface KaplanMeierSummary {
  /** Subjects in the group. */
  readonly n: number;
  readonly events: number;
  /** print.survfit's median and the limits of its 95 % interval (null where the curve never reaches 0.5). */
  readonly median: {
    readonly median: number | null;
    readonly lower: number | null;
    readonly upper: number | null;
  };
  /** S(t) at each of `at` (NaN past the last follow-up unless S reached 0), as survivalAt. */
  readonly survivalAt: number[];
  /** The restricted mean up to tau (rmst's value; its standard error is not computed). */
  readonly rmst: number;
}

/** print.survfit's `minmin` as a scan: the first time y < 0.5 + tol, midpoint over an exact 0.5 flat. */
class FirstAtOrBelowHalf {
  private firstTime = Number.NaN;
  private level = Number.NaN;
  /** The answer once known; undefined while a later row could still change it. */
  value: number | undefined = undefined;

  see(time: number, y: number): void {
    if (this.value !== undefined) return;
    if (Number.isNaN(this.firstTime)) {
      if (!(y < 0.5 + TIME_TOLERANCE)) return; // NaN fails, as in firstAtOrBelowHalf
      this.firstTime = time;
      this.level = y;
      if (!(Math.abs(y - 0.5) < TIME_TOLERANCE)) this.value = time;
    } else if (y < this.level) this.value = (this.firstTime + time) / 2;
  }

  /** After the last row. */
  result(): number | null {
    if (this.value !== undefined) return this.value;
    return Number.isNaN(this.firstTime) ? null : this.firstTime;
  }
}

// Event times and S up to tau, for the restricted mean's backward sum; reused between calls.
let eventTimes = new Float64Array(1024);
let eventSurvival = new Float64Array(1024);

export function kaplanMeierSummary(
  input: SurvivalInput,
  options: { at: readonly number[]; tau: number; confLevel?: number },
): KaplanMeierSummary {
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1))
    throw new SurvivalInputError(
      `kaplanMeier: confLevel must be between 0 and 1 (exclusive), got ${confLevel}`,
    );
  const { tau } = options;
  if (typeof tau !== 'number' || !(tau >= 0 && tau < Number.POSITIVE_INFINITY))
    throw new SurvivalInputError(`rmst: tau must be a finite number ≥ 0, got ${tau}`);
  for (const t of options.at)
    if (typeof t !== 'number' || Number.isNaN(t))
      throw new SurvivalInputError(`survivalEstimateAt: time must be a number, got ${t}`);
  const table = mergeNearTies(tabulate(input, 'kaplanMeier'));
  const z = twoSidedCriticalValue(confLevel);
  const rows = table.time.length;
  if (eventTimes.length < rows) {
    eventTimes = new Float64Array(rows);
    eventSurvival = new Float64Array(rows);
  }

  const median = new FirstAtOrBelowHalf();
  const lowerLimit = new FirstAtOrBelowHalf();
  const upperLimit = new FirstAtOrBelowHalf();
  // S at each `at`: the value after the last event time ≤ t (1 before the first).
  const at = options.at;
  const atSurvival = at.map(() => 1);
  let kept = 0; // event rows with time ≤ tau
  let atRisk = table.n;
  let s = 1;
  let greenwood = 0;
  let events = 0;
  for (let i = 0; i < rows; i++) {
    const d = table.nEvent[i]!;
    const c = table.nCensor[i]!;
    if (d > 0) {
      const time = table.time[i]!;
      // As curveFromTable: the same product and Greenwood sum, so S and its limits are the same doubles.
      s *= (atRisk - d) / atRisk;
      greenwood += d / (atRisk * (atRisk - d));
      median.see(time, s);
      if (lowerLimit.value === undefined || upperLimit.value === undefined) {
        if (s === 0) {
          lowerLimit.see(time, Number.NaN);
          upperLimit.see(time, Number.NaN);
        } else {
          const factor = Math.exp(z * Math.sqrt(greenwood));
          lowerLimit.see(time, s / factor);
          upperLimit.see(time, Math.min(s * factor, 1));
        }
      }
      for (let k = 0; k < at.length; k++) if (time <= at[k]!) atSurvival[k] = s;
      if (time <= tau) {
        eventTimes[kept] = time;
        eventSurvival[kept] = s;
        kept++;
      }
      events += d;
    }
    atRisk -= d + c;
  }

  // survivalAt's support: past the last follow-up time S is unknown unless it reached 0.
  const maxTime = table.time[rows - 1]!;
  const survivalAt = at.map((t, k) => (t > maxTime && atSurvival[k] !== 0 ? Number.NaN : atSurvival[k]!));
  // rmst's rectangles, summed from the last kept event time back to the first, as rmst sums them.
  let area = 0;
  for (let j = kept - 1; j >= 0; j--) {
    const next = j + 1 < kept ? eventTimes[j + 1]! : tau;
    area += (next - eventTimes[j]!) * eventSurvival[j]!;
  }
  const first = kept > 0 ? eventTimes[0]! : tau;
  return {
    n: table.n,
    events,
    median: { median: median.result(), lower: lowerLimit.result(), upper: upperLimit.result() },
    survivalAt,
    rmst: first + area,
  };
}
