import type { TimeCounts } from '@frontline/db';
import {
  kaplanMeier,
  type LogRankResult,
  logRank,
  logRankByStratum,
  medianSurvival,
  rmst,
  type StratifiedCounts,
  type StratumCounts,
  type SurvivalCurve,
  survivalEstimateAt,
} from '@frontline/stats';

/** The curve as served: one row per event time (MODEL.md §9); undefined values are NaN → JSON null. */
export interface CurveRows {
  time: number[];
  nRisk: number[];
  nEvent: number[];
  nCensor: number[];
  survival: number[];
  stdErr: number[];
  lower: number[];
  upper: number[];
  /** Rows before thinning, when `maxPoints` dropped some. */
  thinnedFrom?: number;
}

export interface SurvivalEstimateView {
  survival: number;
  stdErr: number;
  lower: number;
  upper: number;
}

export interface GroupSurvival {
  patients: number;
  events: number;
  curve: CurveRows;
  median: { value: number | null; lower: number | null; upper: number | null };
  survivalAt: Record<string, SurvivalEstimateView | null>;
  rmst: { tau: number; value: number; stdErr: number } | null;
}

const curveFields = ['time', 'nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper'] as const;

export function hasOutcomes(counts: TimeCounts): boolean {
  return counts.time.length > 0;
}

/**
 * Keep at most `maxPoints` rows, evenly spaced in row order (so in events: each row has at least one),
 * always the first and the last. Kept rows are unchanged, so the curve is exact at every returned time.
 */
export function thinCurve(curve: SurvivalCurve, maxPoints: number | undefined): CurveRows {
  const rows = curve.time.length;
  if (maxPoints === undefined || rows <= maxPoints) {
    return Object.fromEntries(curveFields.map((f) => [f, curve[f]])) as unknown as CurveRows;
  }
  const keep = Array.from({ length: maxPoints }, (_, k) => Math.round((k * (rows - 1)) / (maxPoints - 1)));
  const thinned = Object.fromEntries(
    curveFields.map((f) => [f, keep.map((i) => curve[f][i]!)]),
  ) as unknown as CurveRows;
  thinned.thinnedFrom = rows;
  return thinned;
}

/** Kaplan–Meier curve and its summaries for one group; `null` fields where the group has no outcomes. */
export function summariseGroup(
  counts: TimeCounts,
  options: { at: readonly number[]; tau: number; maxPoints?: number },
): { summary: GroupSurvival; curve: SurvivalCurve | null } {
  if (!hasOutcomes(counts)) {
    return {
      summary: {
        patients: 0,
        events: 0,
        curve: Object.fromEntries(curveFields.map((f) => [f, []])) as unknown as CurveRows,
        median: { value: null, lower: null, upper: null },
        survivalAt: Object.fromEntries(options.at.map((t) => [String(t), null])),
        rmst: null,
      },
      curve: null,
    };
  }
  const curve = kaplanMeier(counts);
  // print.survfit's rule (first time S ≤ 0.5, and likewise for the limits): R's printed median, and a
  // linear scan where quantile.survfit sorts the whole curve — it matters at 10⁶ rows.
  const median = medianSurvival(curve, { rule: 'print' });
  const restricted = rmst(curve, options.tau);
  return {
    summary: {
      patients: curve.n,
      events: curve.events,
      curve: thinCurve(curve, options.maxPoints),
      median: { value: median.median, lower: median.lower, upper: median.upper },
      survivalAt: Object.fromEntries(
        options.at.map((t) => {
          const { survival, stdErr, lower, upper } = survivalEstimateAt(curve, t);
          return [String(t), { survival, stdErr, lower, upper }];
        }),
      ),
      rmst: { tau: restricted.tau, value: restricted.rmst, stdErr: restricted.stdErr },
    },
    curve,
  };
}

export interface LogRankView {
  chiSq: number;
  df: number;
  pValue: number;
}

/** Log-rank test of the given groups; null unless at least two have outcomes. */
export function logRankOf(groups: readonly TimeCounts[]): LogRankView | null {
  const present = groups.filter(hasOutcomes);
  if (present.length < 2) return null;
  const result: LogRankResult = logRank(present);
  return { chiSq: result.chiSq, df: result.df, pValue: result.pValue };
}

/**
 * Stratified log-rank test of the given groups, from each one's count tables per stratum, as given or
 * prepared by stratifiedCounts (null: a group without outcomes); null unless two have some.
 */
export function logRankByStratumOf(
  groups: readonly (readonly StratumCounts[] | StratifiedCounts | null)[],
): LogRankView | null {
  const present = groups.filter(
    (group): group is readonly StratumCounts[] | StratifiedCounts => group !== null,
  );
  if (present.length < 2) return null;
  const result = logRankByStratum(present);
  return { chiSq: result.chiSq, df: result.df, pValue: result.pValue };
}

/** JSON texts in UTF-8, back to back in one buffer, and the end of each (so a clone is one copy). */
export interface GroupTexts {
  bytes: Uint8Array;
  ends: number[];
}

export function utf8Texts(texts: readonly string[]): GroupTexts {
  const encoded = texts.map((text) => Buffer.from(text));
  let end = 0;
  return { bytes: Buffer.concat(encoded), ends: encoded.map((e) => (end += e.length)) };
}

/**
 * The answer's `groups` array as JSON text in UTF-8, from each group's JSON without its log-rank test (an
 * object text, survivalCurves; the groups in order over the slices) and the tests: the same text as
 * JSON.stringify of the groups with `logRank` last.
 */
export function joinSurvivalGroups(
  slices: readonly GroupTexts[],
  logRanks: readonly (LogRankView | null)[],
): Uint8Array {
  const pieces: Uint8Array[] = [];
  let g = 0;
  for (const { bytes, ends } of slices) {
    let start = 0;
    for (const end of ends) {
      // The group's object without its closing brace, then its test and the brace.
      const test = `,"logRank":${JSON.stringify(logRanks[g] ?? null)}}`;
      pieces.push(Buffer.from(g === 0 ? '[' : ','), bytes.subarray(start, end - 1), Buffer.from(test));
      start = end;
      g++;
    }
  }
  pieces.push(Buffer.from(g === 0 ? '[]' : ']'));
  return Buffer.concat(pieces);
}
