import { describe, expect, it } from 'vitest';
import {
  kaplanMeier,
  medianSurvival,
  rmst,
  survivalAt,
  survivalEstimateAt,
  survivalQuantile,
} from '../src/index.js';

describe('groups without events', () => {
  const allCensored = kaplanMeier({ time: [3, 5, 7], event: [false, false, false] });

  it('give empty rows but keep the group size and follow-up', () => {
    expect(allCensored.time).toEqual([]);
    expect(allCensored.survival).toEqual([]);
    expect(allCensored).toMatchObject({ n: 3, events: 0, maxTime: 7 });
  });

  it('are at S = 1 through follow-up and unknown after it unless extended', () => {
    expect(survivalAt(allCensored, 0)).toBe(1);
    expect(survivalAt(allCensored, 7)).toBe(1);
    expect(survivalAt(allCensored, 7.5)).toBeNaN();
    expect(survivalAt(allCensored, 7.5, { extend: true })).toBe(1);
    expect(survivalEstimateAt(allCensored, 4)).toEqual({
      time: 4,
      survival: 1,
      stdErr: 0,
      lower: 1,
      upper: 1,
    });
  });

  it('have no median and a restricted mean equal to tau with zero error (R carries S = 1 to tau)', () => {
    expect(medianSurvival(allCensored)).toEqual({ median: null, lower: null, upper: null });
    expect(medianSurvival(allCensored, { rule: 'print' })).toEqual({
      median: null,
      lower: null,
      upper: null,
    });
    expect(rmst(allCensored, 5)).toEqual({ tau: 5, rmst: 5, stdErr: 0 });
    expect(rmst(allCensored, 100)).toEqual({ tau: 100, rmst: 100, stdErr: 0 });
  });
});

describe('a single observation', () => {
  it('that is an event drops S to 0 with undefined error and limits, median at that time', () => {
    const curve = kaplanMeier({ time: [4], event: [true] });
    expect(curve.time).toEqual([4]);
    expect(curve.nRisk).toEqual([1]);
    expect(curve.survival).toEqual([0]);
    expect(curve.stdErr[0]).toBeNaN();
    expect(curve.lower[0]).toBeNaN();
    expect(curve.upper[0]).toBeNaN();
    expect(medianSurvival(curve)).toEqual({ median: 4, lower: null, upper: null });
    expect(survivalAt(curve, 1000)).toBe(0); // S reached 0: known beyond follow-up
    expect(rmst(curve, 10)).toEqual({ tau: 10, rmst: 4, stdErr: 0 });
  });

  it('that is censored gives an empty curve', () => {
    const curve = kaplanMeier({ time: [4], event: [false] });
    expect(curve).toMatchObject({ time: [], n: 1, events: 0, maxTime: 4 });
    expect(medianSurvival(curve).median).toBeNull();
    expect(rmst(curve, 2).rmst).toBe(2);
  });
});

describe('ties and censoring', () => {
  it('count events before censorings at the same time, as R does', () => {
    const curve = kaplanMeier({ time: [2, 2, 2, 5], event: [true, false, true, true] });
    expect(curve.time).toEqual([2, 5]);
    expect(curve.nRisk).toEqual([4, 1]);
    expect(curve.nEvent).toEqual([2, 1]);
    expect(curve.nCensor).toEqual([1, 0]);
    expect(curve.survival).toEqual([0.5, 0]);
  });

  it('remove subjects censored between event times before the next risk set', () => {
    const curve = kaplanMeier({
      time: [0.5, 1, 2, 3, 4, 5, 9],
      event: [false, true, false, false, true, true, false],
    });
    expect(curve.time).toEqual([1, 4, 5]);
    expect(curve.nRisk).toEqual([6, 3, 2]);
    expect(curve.nCensor).toEqual([0, 0, 0]);
    expect(curve.survival[2]).toBeCloseTo((5 / 6) * (2 / 3) * (1 / 2), 15);
    expect(curve.maxTime).toBe(9);
  });

  it('allow events at time 0', () => {
    const curve = kaplanMeier({ time: [0, 0, 1, 2], event: [true, false, true, false] });
    expect(curve.time).toEqual([0, 1]);
    expect(survivalAt(curve, 0)).toBeCloseTo(0.75, 15);
    expect(survivalAt(curve, -1)).toBe(1);
  });

  it('merge times that differ by rounding noise (R timefix), unless asked not to', () => {
    const input = { time: [0.1 + 0.2, 0.3, 1], event: [true, true, false] };
    const merged = kaplanMeier(input);
    expect(merged.time).toEqual([0.3]);
    expect(merged.nEvent).toEqual([2]);
    const separate = kaplanMeier(input, { timefix: false });
    expect(separate.time).toEqual([0.3, 0.1 + 0.2]);
  });
});

describe('pre-aggregated counts', () => {
  it('may arrive unsorted, with repeated times and empty rows', () => {
    const raw = kaplanMeier({
      time: [1, 1, 2, 3, 3, 3, 6],
      event: [true, false, true, true, true, false, false],
    });
    const counts = kaplanMeier({
      time: [3, 1, 6, 2, 3, 4],
      nEvent: [1, 1, 0, 1, 1, 0],
      nCensor: [1, 1, 1, 0, 0, 0],
    });
    expect(counts).toEqual(raw);
  });
});

describe('survivalAt', () => {
  const curve = kaplanMeier({ time: [1, 2, 3, 4], event: [true, true, true, false] });

  it('is right-continuous: the drop at an event time is included at that time', () => {
    expect(survivalAt(curve, 0.999)).toBe(1);
    expect(survivalAt(curve, 1)).toBe(0.75);
    expect(survivalAt(curve, 1.5)).toBe(0.75);
    expect(survivalAt(curve, 2)).toBe(0.5);
    expect(survivalAt(curve, 4)).toBe(0.25);
    expect(survivalAt(curve, 4.01)).toBeNaN();
    expect(survivalAt(curve, 4.01, { extend: true })).toBe(0.25);
  });

  it('returns the row’s error and limits with the estimate', () => {
    const estimate = survivalEstimateAt(curve, 2.5);
    expect(estimate).toEqual({
      time: 2.5,
      survival: curve.survival[1],
      stdErr: curve.stdErr[1],
      lower: curve.lower[1],
      upper: curve.upper[1],
    });
  });
});

describe('confidence level', () => {
  it('uses z = qnorm(1 − (1 − level)/2) on the log scale', () => {
    const input = { time: [9, 13, 13, 18, 23], event: [true, true, false, true, true] };
    const curve = kaplanMeier(input, { confLevel: 0.9 });
    const z = 1.6448536269514715; // R qnorm(0.95)
    const s = 4 / 5;
    const seLog = Math.sqrt(1 / (5 * 4));
    expect(curve.lower[0]).toBeCloseTo(s * Math.exp(-z * seLog), 14);
    expect(curve.upper[0]).toBe(1);
    expect(curve.confLevel).toBe(0.9);
  });
});

describe('median and quantiles', () => {
  it('take the midpoint where S sits exactly at 0.5 over an interval', () => {
    const curve = kaplanMeier({ time: [1, 2, 3, 4], event: [true, true, true, true] });
    expect(medianSurvival(curve).median).toBe(2.5);
    expect(medianSurvival(curve, { rule: 'print' }).median).toBe(2.5);
  });

  it('differ between R rules when the 0.5 flat runs to the last follow-up time', () => {
    // R 3.5-3: quantile(fit, 0.5) gives (2 + 4)/2 = 3; print(fit) gives 2.
    const curve = kaplanMeier({ time: [1, 2, 3, 4], event: [true, true, false, false] });
    expect(medianSurvival(curve).median).toBe(3);
    expect(medianSurvival(curve, { rule: 'print' }).median).toBe(2);
  });

  it('are null where a curve never reaches p; a flat exactly at p runs to the last follow-up', () => {
    // R 3.5-3, quantile(survfit(Surv(1:4, c(1, 0, 0, 0)) ~ 1), c(0, .25, .5)):
    // quantile 0, 2.5, NA; lower 0, 1, 1; upper NA, NA, NA.
    const curve = kaplanMeier({ time: [1, 2, 3, 4], event: [true, false, false, false] });
    expect(survivalQuantile(curve, 0)).toEqual({ quantile: 0, lower: 0, upper: null });
    expect(survivalQuantile(curve, 0.25)).toEqual({ quantile: 2.5, lower: 1, upper: null });
    expect(survivalQuantile(curve, 0.5)).toEqual({ quantile: null, lower: 1, upper: null });
  });
});

describe('restricted mean', () => {
  const curve = kaplanMeier({ time: [2, 4, 6, 8], event: [true, true, false, true] });

  it('is tau before the first event, the area under S after it, with tau at an event time included', () => {
    expect(rmst(curve, 1)).toEqual({ tau: 1, rmst: 1, stdErr: 0 });
    expect(rmst(curve, 3).rmst).toBeCloseTo(2 + 0.75, 14);
    expect(rmst(curve, 4).rmst).toBeCloseTo(2 + 2 * 0.75, 14);
    expect(rmst(curve, 10).rmst).toBeCloseTo(2 + 2 * 0.75 + 4 * 0.5, 14);
  });
});
