/**
 * Reduces either input shape to its sufficient statistic: distinct times, ascending, with the number of
 * events and censorings at each. Every estimator in this package works from this table, which is why raw and
 * pre-aggregated inputs give identical results.
 */
import {
  type AggregatedSurvivalInput,
  badCount,
  badEvent,
  badTime,
  checkShape,
  isAggregatedInput,
  type RawSurvivalInput,
  type SurvivalInput,
  SurvivalInputError,
} from './input.js';
import { sortNonNegativeTimes } from './sort-times.js';

export interface SurvivalTable {
  /** Distinct times, strictly ascending. */
  readonly time: ArrayLike<number>;
  readonly nEvent: ArrayLike<number>;
  readonly nCensor: ArrayLike<number>;
  /** Number of subjects. */
  readonly n: number;
}

/** R's default tolerance for near-tied times (`aeqSurv`, `all.equal`): sqrt(.Machine$double.eps). */
export const TIME_TOLERANCE = Math.sqrt(Number.EPSILON);

export function tabulate(input: SurvivalInput, where: string): SurvivalTable {
  checkShape(input, where);
  return isAggregatedInput(input) ? tabulateAggregated(input, where) : tabulateRaw(input, where);
}

function isValidTime(t: unknown): t is number {
  return typeof t === 'number' && t >= 0 && t < Number.POSITIVE_INFINITY;
}

/** Sorting event and censoring times separately avoids an index sort: the hot path at 10⁶ rows. */
function tabulateRaw(input: RawSurvivalInput, where: string): SurvivalTable {
  const { time, event } = input;
  const n = time.length;
  let events = 0;
  for (let i = 0; i < n; i++) {
    if (!isValidTime(time[i])) throw badTime(where, i, time[i]);
    const observed = event[i];
    if (observed === true) events++;
    else if (observed !== false) throw badEvent(where, i, observed);
  }
  const censors = n - events;
  const eventTimes = new Float64Array(events);
  const censorTimes = new Float64Array(censors);
  for (let i = 0, e = 0, c = 0; i < n; i++) {
    const t = time[i] === 0 ? 0 : time[i]!; // folds -0 into 0, which the radix sort needs
    if (event[i]) eventTimes[e++] = t;
    else censorTimes[c++] = t;
  }
  sortNonNegativeTimes(eventTimes);
  sortNonNegativeTimes(censorTimes);

  const outTime: number[] = [];
  const outEvent: number[] = [];
  const outCensor: number[] = [];
  let e = 0;
  let c = 0;
  while (e < events || c < censors) {
    const nextEvent = e < events ? eventTimes[e]! : Number.POSITIVE_INFINITY;
    const nextCensor = c < censors ? censorTimes[c]! : Number.POSITIVE_INFINITY;
    const t = Math.min(nextEvent, nextCensor);
    let d = 0;
    while (e < events && eventTimes[e] === t) {
      d++;
      e++;
    }
    let k = 0;
    while (c < censors && censorTimes[c] === t) {
      k++;
      c++;
    }
    outTime.push(t);
    outEvent.push(d);
    outCensor.push(k);
  }
  return { time: outTime, nEvent: outEvent, nCensor: outCensor, n };
}

function tabulateAggregated(input: AggregatedSurvivalInput, where: string): SurvivalTable {
  const { time, nEvent, nCensor } = input;
  const rows = time.length;
  let ascending = true;
  let clean = true; // no empty rows and no -0: the input is already a table
  let n = 0;
  for (let i = 0; i < rows; i++) {
    const t = time[i];
    if (!isValidTime(t)) throw badTime(where, i, t);
    const d = nEvent[i];
    if (!Number.isInteger(d) || (d as number) < 0) throw badCount(where, 'nEvent', i, d);
    const c = nCensor[i];
    if (!Number.isInteger(c) || (c as number) < 0) throw badCount(where, 'nCensor', i, c);
    if (i > 0 && !(t > time[i - 1]!)) ascending = false;
    if ((d as number) + (c as number) === 0 || Object.is(t, -0)) clean = false;
    n += (d as number) + (c as number);
  }
  if (n === 0) throw new SurvivalInputError(`${where}: input is empty, every count is zero`);
  // Database aggregates usually arrive sorted, distinct and non-empty: then they are used as they are.
  if (ascending && clean) return { time, nEvent, nCensor, n };

  let order: number[] | null = null;
  if (!ascending) {
    order = Array.from({ length: rows }, (_, i) => i);
    order.sort((a, b) => time[a]! - time[b]!);
  }
  const outTime: number[] = [];
  const outEvent: number[] = [];
  const outCensor: number[] = [];
  for (let r = 0; r < rows; r++) {
    const i = order === null ? r : order[r]!;
    const d = nEvent[i]!;
    const c = nCensor[i]!;
    if (d + c === 0) continue;
    const t = time[i] === 0 ? 0 : time[i]!;
    const last = outTime.length - 1;
    if (last >= 0 && outTime[last] === t) {
      outEvent[last]! += d;
      outCensor[last]! += c;
    } else {
      outTime.push(t);
      outEvent.push(d);
      outCensor.push(c);
    }
  }
  return { time: outTime, nEvent: outEvent, nCensor: outCensor, n };
}

/**
 * R's `aeqSurv` (survfit and survdiff default `timefix = TRUE`): distinct times closer than the tolerance,
 * absolutely or relative to the mean distinct time, are one time. For each ascending distinct time, returns
 * the index of the time it merges into (the first of its chain), or null when no times merge.
 */
export function nearTieHeads(times: ArrayLike<number>): Int32Array | null {
  const m = times.length;
  if (m < 2) return null;
  let sumAbs = 0;
  for (let i = 0; i < m; i++) sumAbs += Math.abs(times[i]!);
  const mean = sumAbs / m;
  const tied = (i: number): boolean => {
    const gap = times[i]! - times[i - 1]!;
    return gap <= TIME_TOLERANCE || gap / mean <= TIME_TOLERANCE;
  };
  let any = false;
  for (let i = 1; i < m && !any; i++) any = tied(i);
  if (!any) return null;
  const heads = new Int32Array(m);
  for (let i = 1; i < m; i++) heads[i] = tied(i) ? heads[i - 1]! : i;
  return heads;
}

/** Applies R's near-tie merge to a table. */
export function mergeNearTies(table: SurvivalTable): SurvivalTable {
  const heads = nearTieHeads(table.time);
  if (heads === null) return table;
  const time: number[] = [];
  const nEvent: number[] = [];
  const nCensor: number[] = [];
  for (let i = 0; i < table.time.length; i++) {
    if (heads[i] === i) {
      time.push(table.time[i]!);
      nEvent.push(table.nEvent[i]!);
      nCensor.push(table.nCensor[i]!);
    } else {
      nEvent[nEvent.length - 1]! += table.nEvent[i]!;
      nCensor[nCensor.length - 1]! += table.nCensor[i]!;
    }
  }
  return { time, nEvent, nCensor, n: table.n };
}
