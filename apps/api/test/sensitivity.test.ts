import { type SweepSpec, sweepPointRole } from '@frontline/contracts';
import { kaplanMeier, medianSurvival, normalQuantile, rmst, survivalEstimateAt } from '@frontline/stats';
import { describe, expect, it } from 'vitest';
import { type PointMetricInput, pointMetric, saltelliOutputs, sensitivityOf } from '../src/sensitivity.js';

/** Count table of `deaths` at day 100·k (k = 1 … deaths) and `survivors` censored at the horizon. */
function cohort(deaths: number, survivors: number, horizon = 730): PointMetricInput {
  const time = [
    ...Array.from({ length: deaths }, (_, k) => 100 * (k + 1)),
    ...(survivors > 0 ? [horizon] : []),
  ];
  return {
    kind: 'survival',
    counts: {
      time: Float64Array.from(time),
      nEvent: Int32Array.from(time.map((_, i) => (i < deaths ? 1 : 0))),
      nCensor: Int32Array.from(time.map((_, i) => (i < deaths ? 0 : survivors))),
    },
    horizon,
  };
}
const curveOf = (input: PointMetricInput) => {
  if (input.kind !== 'survival') throw new Error('a survival cohort');
  return kaplanMeier(input.counts);
};

describe('per-point metrics and their sampling variances', () => {
  it('S(t) with Greenwood variance; 0 where everyone died', () => {
    const input = cohort(4, 6);
    const expected = survivalEstimateAt(curveOf(input), 300);
    expect(pointMetric('survivalAt', 300, input)).toEqual({ value: 0.7, variance: expected.stdErr ** 2 });
    expect(pointMetric('survivalAt', 700, cohort(5, 0))).toEqual({ value: 0, variance: 0 });
    expect(pointMetric('survivalAt', 1000, input)).toBe('S(1000) is unknown: follow-up ends at 730 days');
  });

  it('RMST to the horizon (or at) with its variance; refused past follow-up unless all died', () => {
    const input = cohort(4, 6);
    const expected = rmst(curveOf(input), 730);
    expect(pointMetric('rmst', undefined, input)).toEqual({
      value: expected.rmst,
      variance: expected.stdErr ** 2,
    });
    expect(pointMetric('rmst', 800, input)).toBe('RMST to 800 is unknown: follow-up ends at 730 days');
    expect(typeof pointMetric('rmst', 800, cohort(5, 0))).toBe('object');
  });

  it('median: variance from the interval width; capped at the horizon when not reached', () => {
    const reached = cohort(8, 2);
    const m = medianSurvival(curveOf(reached), { rule: 'print' });
    const z = normalQuantile(0.975);
    const upper = Math.min(m.upper ?? 730, 730);
    expect(pointMetric('median', undefined, reached)).toEqual({
      value: m.median,
      variance: ((upper - m.lower!) / (2 * z)) ** 2,
    });
    const notReached = pointMetric('median', undefined, cohort(2, 8));
    expect(notReached).toMatchObject({ value: 730, capped: true });
  });

  it('fractions: binomial variance p(1 − p)/n', () => {
    expect(
      pointMetric('curedFraction', undefined, { kind: 'fraction', fraction: 0.25, patients: 40 }),
    ).toEqual({
      value: 0.25,
      variance: (0.25 * 0.75) / 40,
    });
    expect(pointMetric('curedFraction', undefined, { kind: 'fraction', fraction: null, patients: 0 })).toBe(
      'no outcomes',
    );
  });
});

describe('reassembling a saltelli design', () => {
  it('puts each point where saltelliRole says it belongs', () => {
    const samples = 5;
    const factors = 3;
    const values = Array.from({ length: samples * (factors + 2) }, (_, k) => k);
    const { a, b, ab } = saltelliOutputs(values, samples, factors);
    const axis = { min: 0, max: 1 };
    const design = {
      kind: 'saltelli',
      samples,
      seed: 1,
      axes: { x: axis, y: axis, z: axis },
    } as unknown as SweepSpec['design'];
    for (const k of values) {
      const role = sweepPointRole({ design }, k)!;
      const block = role.block === 'A' ? a : role.block === 'B' ? b : ab[role.factor]!;
      expect(block[role.row]).toBe(k);
    }
  });

  it('answers a reason, not an exception, when the metric does not vary', () => {
    const flat = Array.from({ length: 12 }, () => ({
      kind: 'fraction' as const,
      fraction: 0.5,
      patients: 10,
    }));
    const result = sensitivityOf({
      kind: 'sensitivity',
      metric: 'curedFraction',
      at: undefined,
      samples: 4,
      axes: ['dose'],
      points: flat,
      seed: 1,
    });
    expect(result).toMatchObject({ ok: false, field: 'querystring.metric' });
    expect((result as { message: string }).message).toContain('zero variance');
  });
});
