/**
 * coxPhByGroup (arm indicators from per-time counts) against R and against coxPh on the same rows, and the
 * input errors of coxPh: each names the field and the rule.
 */
import { describe, expect, it } from 'vitest';
import { CoxInputError, type CoxPhResult, coxPh, coxPhByGroup } from '../src/index.js';
import { coxCases, fitOf } from './cox-fixtures.js';

/** Every number of two results, paired by position. */
function numbers(result: CoxPhResult): number[] {
  return [
    ...result.terms.flatMap((t) => [t.coef, t.se, t.hazardRatio, t.lower, t.upper, t.z, t.pValue]),
    ...result.loglik,
    ...[result.likelihoodRatio, result.wald, result.score].flatMap((t) => [t.chiSq, t.df, t.pValue]),
    result.concordance,
    result.n,
    result.events,
    result.iterations,
  ];
}

/** Per arm, per stratum, per distinct time: the counts a database would return. */
function aggregate(time: number[], event: number[], arm: number[], strata: string[] | null, arms: number) {
  return Array.from({ length: arms }, (_, g) => {
    const counts = new Map<string, { time: number; stratum: string; nEvent: number; nCensor: number }>();
    time.forEach((t, i) => {
      if (arm[i] !== g) return;
      const stratum = strata?.[i] ?? '';
      const key = `${stratum}|${t}`;
      const row = counts.get(key) ?? { time: t, stratum, nEvent: 0, nCensor: 0 };
      if (event[i] === 1) row.nEvent++;
      else row.nCensor++;
      counts.set(key, row);
    });
    const rows = [...counts.values()];
    return {
      time: rows.map((r) => r.time),
      nEvent: rows.map((r) => r.nEvent),
      nCensor: rows.map((r) => r.nCensor),
      ...(strata === null ? {} : { strata: rows.map((r) => r.stratum) }),
    };
  });
}

describe('coxPhByGroup: per-time counts give the raw numbers', () => {
  const armCases = coxCases.filter((c) => c.name.startsWith('arms:') || c.name.startsWith('colon deaths'));
  it('covers efron and breslow, with and without strata', () => {
    expect(armCases.map((c) => `${c.ties} ${c.strata !== null}`).sort()).toEqual(
      expect.arrayContaining(['breslow false', 'breslow true', 'efron false', 'efron true']),
    );
  });

  for (const c of armCases) {
    it(`${c.name} (${c.ties})`, () => {
      // The arm indicators are the 0/1 covariates; colon's third covariate (node4) is not an arm, drop it.
      const indicators = Object.keys(c.covariates).slice(0, 2);
      const arm = c.time.map((_, i) => indicators.findIndex((name) => c.covariates[name]![i] === 1) + 1);
      const groups = aggregate(c.time, c.event, arm, c.strata, 3);
      const byGroup = coxPhByGroup(groups, { ties: c.ties, names: indicators });
      const raw = coxPh(
        {
          time: c.time,
          event: c.event.map((e) => e === 1),
          covariates: Object.fromEntries(indicators.map((name) => [name, c.covariates[name]!])),
          ...(c.strata === null ? {} : { strata: c.strata }),
        },
        { ties: c.ties },
      );
      const expected = numbers(raw);
      numbers(byGroup).forEach((value, i) => {
        expect(Math.abs(value - expected[i]!), `value ${i}: ${value} vs ${expected[i]}`).toBeLessThanOrEqual(
          1e-11 * Math.max(1, Math.abs(expected[i]!)),
        );
      });
      if (c.name.startsWith('arms:')) {
        // Here the raw fit is R's own model: compare the aggregated form with R directly too.
        byGroup.terms.forEach((term, v) => {
          expect(Math.abs(term.coef - c.result.coef[v]!)).toBeLessThan(1e-9);
          expect(Math.abs(term.se - c.result.se[v]!)).toBeLessThan(1e-9);
        });
        expect(Math.abs(byGroup.concordance - c.result.concordance)).toBeLessThan(1e-12);
        expect(byGroup.likelihoodRatio.chiSq).toBeCloseTo(fitOf(c).likelihoodRatio.chiSq, 10);
      }
    });
  }

  it('takes raw group rows as well as counts', () => {
    const time = [1, 2, 2, 3, 4, 5, 5, 6, 7, 8];
    const event = [1, 1, 0, 1, 1, 1, 1, 0, 1, 0];
    const arm = [0, 1, 0, 1, 0, 1, 0, 1, 1, 0];
    const fromRows = coxPhByGroup(
      [0, 1].map((g) => ({
        time: time.filter((_, i) => arm[i] === g),
        event: event.filter((_, i) => arm[i] === g).map((e) => e === 1),
      })),
    );
    const fromCounts = coxPhByGroup(aggregate(time, event, arm, null, 2));
    expect(fromRows.terms[0]!.coef).toBeCloseTo(fromCounts.terms[0]!.coef, 12);
    expect(fromRows.terms[0]!.name).toBe('group 1');
  });
});

describe('coxPh input errors name the field and the rule', () => {
  const base = { time: [1, 2, 3, 4], event: [true, false, true, true], covariates: { x: [0, 1, 0, 1] } };
  const cases: [string, Parameters<typeof coxPh>[0], string, RegExp][] = [
    [
      'mismatched event length',
      { ...base, event: [true, false] },
      'event',
      /same length as time \(4\), got 2/,
    ],
    ['mismatched covariate length', { ...base, covariates: { x: [0, 1] } }, 'covariates.x', /same length/],
    ['no events', { ...base, event: [false, false, false, false] }, 'event', /no events/],
    ['constant covariate', { ...base, covariates: { x: [2, 2, 2, 2] } }, 'covariates.x', /is constant \(2\)/],
    [
      'collinear covariates',
      { ...base, covariates: { x: [0, 1, 0, 1], y: [1, 3, 1, 3] } },
      'covariates.y',
      /linear combination of the other covariates/,
    ],
    [
      'covariate constant within every stratum',
      { ...base, covariates: { x: [0, 1, 0, 1] }, strata: ['a', 'b', 'a', 'b'] },
      'covariates.x',
      /constant within every stratum/,
    ],
    ['no covariates', { ...base, covariates: {} }, 'covariates', /at least one covariate/],
    ['negative time', { ...base, time: [1, -2, 3, 4] }, 'time[1]', /finite numbers ≥ 0/],
    ['NaN covariate', { ...base, covariates: { x: [0, Number.NaN, 0, 1] } }, 'covariates.x[1]', /finite/],
    ['strata length', { ...base, strata: ['a'] }, 'strata', /one entry per subject \(4\), got 1/],
  ];
  for (const [what, input, field, rule] of cases) {
    it(what, () => {
      try {
        coxPh(input);
        expect.unreachable('coxPh accepted bad input');
      } catch (error) {
        expect(error).toBeInstanceOf(CoxInputError);
        expect((error as CoxInputError).field).toBe(field);
        expect((error as CoxInputError).message).toMatch(rule);
      }
    });
  }

  it('rejects an unknown ties method', () => {
    expect(() => coxPh(base, { ties: 'exact' as 'efron' })).toThrow(
      /ties is exact; must be 'efron' or 'breslow'/,
    );
  });

  it('reports a monotone likelihood with a warning, not a crash', () => {
    const fit = coxPh({
      time: [1, 2, 3, 4, 5, 6, 7, 8],
      event: Array(8).fill(true),
      covariates: { treated: [1, 1, 1, 1, 0, 0, 0, 0] },
    });
    expect(fit.terms[0]!.coef).toBeGreaterThan(15);
    expect(fit.terms[0]!.upper).toBe(Number.POSITIVE_INFINITY);
    expect(fit.warnings).toEqual([
      'Loglik converged before variable 1 (treated); coefficient may be infinite.',
    ]);
  });
});
