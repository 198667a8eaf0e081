import { describe, expect, it } from 'vitest';
import { chiSquareUpperTail, logRank, type RawSurvivalInput } from '../src/index.js';
import { generalisedQuadraticForm } from '../src/quadratic-form.js';

const groupA = { time: [1, 2, 2, 3, 5, 6, 8, 9], event: [true, true, false, true, false, true, true, false] };
const groupB = { time: [2, 3, 3, 4, 6, 7, 10], event: [true, true, true, false, true, false, true] };
const groupC = { time: [1, 3, 4, 4, 8, 11, 12], event: [false, true, true, true, false, true, false] };

/**
 * The log-rank statistic computed directly from its definition, independently of the implementation:
 * at each distinct event time, the deaths in each group are hypergeometric given the pooled deaths D among
 * N at risk, so E_g = D n_g / N and Cov(g, h) = D (N − D)/(N − 1) · (n_g / N)(δ_gh − n_h / N).
 */
function byDefinition(groups: RawSurvivalInput[]) {
  const k = groups.length;
  const all = groups.flatMap((g) => Array.from(g.time).filter((_, i) => g.event[i]));
  const eventTimes = [...new Set(all)].sort((a, b) => a - b);
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const v = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const t of eventTimes) {
    const atRisk = groups.map((g) => Array.from(g.time).filter((u) => u >= t).length);
    const deaths = groups.map((g) => Array.from(g.time).filter((u, i) => u === t && g.event[i]).length);
    const N = atRisk.reduce((a, b) => a + b, 0);
    const D = deaths.reduce((a, b) => a + b, 0);
    for (let g = 0; g < k; g++) {
      observed[g]! += deaths[g]!;
      expected[g]! += (D * atRisk[g]!) / N;
      for (let h = 0; h < k; h++) {
        const delta = g === h ? 1 : 0;
        v[g]![h]! += N > 1 ? ((D * (N - D)) / (N - 1)) * (atRisk[g]! / N) * (delta - atRisk[h]! / N) : 0;
      }
    }
  }
  return { observed, expected, v };
}

describe('three-group log-rank against a direct computation', () => {
  const direct = byDefinition([groupA, groupB, groupC]);
  const test = logRank([groupA, groupB, groupC]);

  it('has the observed and expected deaths and the variance matrix of the definition', () => {
    expect(test.observed).toEqual(direct.observed);
    test.expected.forEach((e, g) => {
      expect(e).toBeCloseTo(direct.expected[g]!, 12);
    });
    test.variance.forEach((row, g) => {
      row.forEach((value, h) => {
        expect(value).toBeCloseTo(direct.v[g]![h]!, 12);
      });
    });
    expect(test.expected.reduce((a, b) => a + b, 0)).toBeCloseTo(14, 12); // E sums to the deaths
  });

  it('has χ² = u′ V⁻¹ u on two df, u = (O − E) of groups B and C, inverted by hand', () => {
    const u = [direct.observed[1]! - direct.expected[1]!, direct.observed[2]! - direct.expected[2]!];
    const [a, b, c, d] = [direct.v[1]![1]!, direct.v[1]![2]!, direct.v[2]![1]!, direct.v[2]![2]!];
    const det = a * d - b * c;
    const chiSq = (u[0]! * (d * u[0]! - b * u[1]!) + u[1]! * (-c * u[0]! + a * u[1]!)) / det;
    expect(test.df).toBe(2);
    expect(test.chiSq).toBeCloseTo(chiSq, 12);
    expect(test.pValue).toBeCloseTo(Math.exp(-chiSq / 2), 12); // χ²₂ tail is exp(−x/2)
    // R 3.5-3 survdiff on the same data: chisq 1.4430017324503177, p 0.48602225389373777.
    expect(test.chiSq).toBeCloseTo(1.4430017324503177, 12);
    expect(test.pValue).toBeCloseTo(0.48602225389373777, 12);
  });

  it('does not depend on which group is left out of the quadratic form', () => {
    const u = [direct.observed[0]! - direct.expected[0]!, direct.observed[1]! - direct.expected[1]!];
    const [a, b, c, d] = [direct.v[0]![0]!, direct.v[0]![1]!, direct.v[1]![0]!, direct.v[1]![1]!];
    const chiSq = (u[0]! * (d * u[0]! - b * u[1]!) + u[1]! * (-c * u[0]! + a * u[1]!)) / (a * d - b * c);
    expect(test.chiSq).toBeCloseTo(chiSq, 12);
    const reordered = logRank([groupC, groupA, groupB]);
    expect(reordered.chiSq).toBeCloseTo(test.chiSq, 12);
  });

  it('gives the same answer from pre-aggregated counts', () => {
    const aggregate = (g: RawSurvivalInput) => {
      const times = [...new Set(Array.from(g.time))];
      return {
        time: times,
        nEvent: times.map((t) => Array.from(g.time).filter((u, i) => u === t && g.event[i]).length),
        nCensor: times.map((t) => Array.from(g.time).filter((u, i) => u === t && !g.event[i]).length),
      };
    };
    expect(logRank([aggregate(groupA), groupB, aggregate(groupC)])).toEqual(test);
  });
});

describe('degenerate log-rank tests', () => {
  it('leave out a group never at risk at an event time (E = 0), as survdiff does', () => {
    const early = { time: [0.5, 0.5], event: [false, false] };
    const withEarly = logRank([groupA, early, groupB]);
    const without = logRank([groupA, groupB]);
    expect(withEarly.expected[1]).toBe(0);
    expect(withEarly.df).toBe(1);
    expect(withEarly.chiSq).toBeCloseTo(without.chiSq, 12);
    expect(withEarly.pValue).toBeCloseTo(without.pValue, 12);
  });

  it('use a generalised inverse when the variance is singular (R stops: "system is exactly singular")', () => {
    // Everyone dies at the same instant: the hypergeometric variance is 0 and so is the information.
    const test = logRank([
      { time: [3, 3], event: [true, true] },
      { time: [3], event: [true] },
      { time: [3, 3], event: [true, true] },
    ]);
    expect(test.expected).toEqual([2, 1, 2]);
    expect(test.variance).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(test).toMatchObject({ chiSq: 0, df: 0, pValue: 1 });
  });

  it('equals the quadratic form with the full k × k variance and its generalised inverse', () => {
    const test = logRank([groupA, groupB, groupC]);
    const full = generalisedQuadraticForm(
      test.variance,
      test.observed.map((o, g) => o - test.expected[g]!),
    );
    expect(full.rank).toBe(2); // rows of V sum to zero: rank k − 1
    expect(full.value).toBeCloseTo(test.chiSq, 10);
  });

  it('report no test when only one group has deaths at risk, and NaN when there are no deaths', () => {
    const censoredEarly = { time: [0.1, 0.2], event: [false, false] };
    const oneSided = logRank([groupA, censoredEarly]);
    expect(oneSided).toMatchObject({ chiSq: 0, df: 0, pValue: 1 });
    const none = logRank([censoredEarly, { time: [3], event: [false] }]);
    expect(none.chiSq).toBe(0);
    expect(none.df).toBe(0);
    expect(none.pValue).toBeNaN();
    expect(none.expected).toEqual([0, 0]);
  });

  it('supports the G-rho family: rho = 1 on aml matches survdiff(rho = 1)', () => {
    const maintained = {
      time: [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161],
      event: [true, true, false, true, true, false, true, true, false, true, false],
    };
    const nonMaintained = {
      time: [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
      event: [true, true, true, true, true, false, true, true, true, true, true, true],
    };
    const test = logRank([maintained, nonMaintained], { rho: 1 });
    expect(test.chiSq).toBeCloseTo(2.7792795447517733, 12);
    expect(test.observed[0]).toBeCloseTo(3.8454106280193239, 12);
    expect(test.expected[0]).toBeCloseTo(6.1428571428571423, 12);
    expect(test.pValue).toBeCloseTo(chiSquareUpperTail(2.7792795447517733, 1), 12);
  });
});
