/**
 * Sobol indices of a saltelli sweep (docs/sensitivity.md), run in a statistics thread: each point's
 * metric and its sampling variance from its own cohort, the points reassembled into f(A), f(B),
 * f(AB_i) by their role, then @frontline/stats' estimators and cohort noise share.
 */
import type { SensitivityMetric } from '@frontline/contracts';
import type { TimeCounts } from '@frontline/db';
import {
  cohortNoiseShare,
  kaplanMeier,
  medianSurvival,
  normalQuantile,
  rmst,
  SensitivityInputError,
  sobolIndices,
  survivalEstimateAt,
} from '@frontline/stats';

/** Bootstrap replicates of every sensitivity answer (the package default). */
export const SENSITIVITY_BOOTSTRAP = 1000;
export const SENSITIVITY_LEVEL = 0.95;

/** One point's inputs, in design order (point index k = position k). */
export type PointMetricInput =
  | { kind: 'survival'; counts: TimeCounts; horizon: number }
  | { kind: 'fraction'; fraction: number | null; patients: number };

export interface SensitivityTask {
  kind: 'sensitivity';
  metric: SensitivityMetric;
  /** survivalAt's t, or rmst's τ (undefined: each point's horizon). */
  at: number | undefined;
  samples: number;
  axes: string[];
  points: PointMetricInput[];
  seed: number;
}

/** A metric estimate of one point and its sampling variance (squared standard error). */
export interface PointMetric {
  value: number;
  variance: number;
  /** The median was not reached: value is the horizon (docs/sensitivity.md, "The metrics"). */
  capped?: boolean;
}

export type SensitivityResult =
  | {
      ok: true;
      first: { value: number; lower: number; upper: number }[];
      total: { value: number; lower: number; upper: number }[];
      variance: number;
      replicates: number;
      noise: { share: number; meanWithinVariance: number; totalVariance: number; warning: string | null };
      warnings: string[];
    }
  /** The data cannot give indices (a metric undefined at a point, no variance): the reason, for a 4xx. */
  | { ok: false; field: 'querystring.at' | 'querystring.metric'; message: string };

const z975 = normalQuantile(0.975);

/** The metric of one point from its cohort, or a reason it is undefined there. */
export function pointMetric(
  metric: SensitivityMetric,
  at: number | undefined,
  input: PointMetricInput,
): PointMetric | string {
  if (input.kind === 'fraction') {
    const { fraction: p, patients: n } = input;
    if (p === null || n === 0) return 'no outcomes';
    // Binomial variance of a proportion of n patients.
    return { value: p, variance: (p * (1 - p)) / n };
  }
  if (input.counts.time.length === 0) return 'no outcomes';
  const curve = kaplanMeier(input.counts);
  if (metric === 'survivalAt') {
    const t = at!;
    const { survival, stdErr } = survivalEstimateAt(curve, t);
    if (Number.isNaN(survival)) return `S(${t}) is unknown: follow-up ends at ${curve.maxTime} days`;
    // Greenwood's variance; at S = 0 (or 1) it is undefined or 0: a cohort that all died is certain.
    return { value: survival, variance: Number.isFinite(stdErr) ? stdErr ** 2 : 0 };
  }
  if (metric === 'rmst') {
    const tau = at ?? input.horizon;
    const survivors = curve.survival[curve.survival.length - 1] !== 0;
    if (tau > curve.maxTime && survivors)
      return `RMST to ${tau} is unknown: follow-up ends at ${curve.maxTime} days`;
    const restricted = rmst(curve, tau);
    return { value: restricted.rmst, variance: restricted.stdErr ** 2 };
  }
  // Median: where not reached (or a limit is missing) it is capped at the horizon; its variance is
  // that of a normal with the Brookmeyer–Crowley interval's width: ((upper − lower) / 2z)².
  const { median, lower, upper } = medianSurvival(curve, { rule: 'print' });
  const cap = (x: number | null) => Math.min(x ?? input.horizon, input.horizon);
  const value = cap(median);
  return {
    value,
    variance: ((cap(upper) - cap(lower)) / (2 * z975)) ** 2,
    ...(median === null || median > input.horizon ? { capped: true } : {}),
  };
}

/** f(A), f(B) and f(AB_i) from values in design order (A rows, B rows, then AB_0, AB_1, … rows). */
export function saltelliOutputs(values: readonly number[], samples: number, factors: number) {
  const block = (b: number) => values.slice(b * samples, (b + 1) * samples);
  return { a: block(0), b: block(1), ab: Array.from({ length: factors }, (_, i) => block(2 + i)) };
}

export function sensitivityOf(task: SensitivityTask): SensitivityResult {
  // A time the request named is what to change; otherwise the metric itself.
  const field = task.at !== undefined ? 'querystring.at' : 'querystring.metric';
  const metrics: PointMetric[] = [];
  for (const [index, input] of task.points.entries()) {
    const m = pointMetric(task.metric, task.at, input);
    if (typeof m === 'string')
      return {
        ok: false,
        field,
        message: `${task.metric} is undefined at point ${index}: ${m}`,
      };
    metrics.push(m);
  }
  const values = metrics.map((m) => m.value);
  try {
    const indices = sobolIndices(saltelliOutputs(values, task.samples, task.axes.length), {
      bootstrap: SENSITIVITY_BOOTSTRAP,
      seed: task.seed,
      level: SENSITIVITY_LEVEL,
    });
    const noise = cohortNoiseShare({ estimates: values, variances: metrics.map((m) => m.variance) });
    const warnings = noise.warning ? [noise.warning] : [];
    const capped = metrics.filter((m) => m.capped).length;
    if (capped > 0)
      warnings.push(
        `the median is not reached within follow-up at ${capped} of ${metrics.length} points; ` +
          'there it counts as the horizon (a lower bound), which shrinks its variance',
      );
    return {
      ok: true,
      first: indices.first,
      total: indices.total,
      variance: indices.variance,
      replicates: indices.replicates,
      noise: {
        share: noise.share,
        meanWithinVariance: noise.meanWithinVariance,
        totalVariance: noise.totalVariance,
        warning: noise.warning ?? null,
      },
      warnings,
    };
  } catch (error) {
    if (error instanceof SensitivityInputError)
      return {
        ok: false,
        field,
        message: `no sensitivity indices for ${task.metric}: ${error.message}`,
      };
    throw error;
  }
}
