/**
 * Agreement with R survival 3.5-3: `summary(coxph(...))` on lung, veteran (strata), ovarian, aml, colon
 * (arms + strata), heavy ties (5 distinct times for 300 subjects, 3 covariates), monotone likelihood and 40
 * random data sets, each with ties = 'efron' and 'breslow'; stratified `survdiff`. The values come from
 * fixtures/cox-reference.R; see that file to regenerate them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { logRank } from '../src/index.js';
import { coxCases, fitOf, logRankCases } from './cox-fixtures.js';

/** Running tally for the closing note: how many values were compared and the largest differences. */
const tallies = {
  regular: { values: 0, maxAbs: 0, maxRel: 0, worst: '' },
  monotone: { values: 0, maxAbs: 0, maxRel: 0, worst: '' },
};
let tally = tallies.regular;
/** Relative tolerance 1e-8 (R's own convergence is loglik to 1e-9); monotone fits diverge, see below. */
function expectClose(actual: number, expected: number, what: string, tolerance = 1e-8): void {
  if (!Number.isFinite(expected)) {
    expect(actual, what).toBe(expected); // e.g. the upper limit exp(coef + 1.96 se) of a diverging coefficient
    return;
  }
  const abs = Math.abs(actual - expected);
  const rel = abs / Math.max(Math.abs(expected), 1e-300);
  tally.values++;
  if (abs > tally.maxAbs) tally.maxAbs = abs;
  if (Math.min(rel, abs) > tally.maxRel) {
    tally.maxRel = Math.min(rel, abs);
    tally.worst = what;
  }
  expect(abs, `${what}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expected)),
  );
}

describe('coxPh equals R coxph', () => {
  it('has the reference cases', () => {
    expect(coxCases.length).toBeGreaterThan(100);
    expect(logRankCases.length).toBeGreaterThan(40);
  });

  for (const c of coxCases) {
    it(`${c.name} (${c.ties})`, () => {
      const fit = fitOf(c);
      const r = c.result;
      const monotone = r.warnings.length > 0;
      tally = monotone ? tallies.monotone : tallies.regular;
      // A diverging coefficient stops wherever the loglik flattens: its value and se agree loosely.
      const loose = monotone ? 1e-4 : 1e-8;
      expect(fit.terms.map((t) => t.name)).toEqual(r.names);
      fit.terms.forEach((term, v) => {
        const what = `${c.name} ${c.ties} ${term.name}`;
        expectClose(term.coef, r.coef[v]!, `${what} coef`, loose);
        expectClose(term.se, r.se[v]!, `${what} se`, loose);
        expectClose(term.hazardRatio, r.hazardRatio[v]!, `${what} HR`, monotone ? 1e-3 : 1e-8);
        expectClose(term.lower, r.lower[v]!, `${what} lower`, loose);
        expectClose(term.upper, r.upper[v]!, `${what} upper`, monotone ? 1e-3 : 1e-8);
        expectClose(term.z, r.z[v]!, `${what} z`, loose);
        expectClose(term.pValue, r.pValue[v]!, `${what} p`, loose);
      });
      expectClose(fit.loglik[0], r.loglik[0]!, `${c.name} loglik null`);
      expectClose(fit.loglik[1], r.loglik[1]!, `${c.name} loglik`);
      for (const key of ['likelihoodRatio', 'wald', 'score'] as const) {
        expectClose(fit[key].chiSq, r[key].chiSq, `${c.name} ${key} chiSq`, key === 'wald' ? loose : 1e-8);
        expect(fit[key].df).toBe(r[key].df);
        expectClose(fit[key].pValue, r[key].pValue, `${c.name} ${key} p`, key === 'wald' ? loose : 1e-8);
      }
      expectClose(fit.concordance, r.concordance, `${c.name} concordance`);
      expect(fit.n).toBe(r.n);
      expect(fit.events).toBe(r.events);
      expect(fit.iterations).toBe(r.iterations);
      expect(fit.warnings.length).toBe(r.warnings.length);
      if (monotone)
        expect(fit.warnings[0]).toMatch(
          /^Loglik converged before variable 1 \(x\); coefficient may be infinite/,
        );
    });
  }
});

describe('stratified logRank equals R survdiff(Surv(t, e) ~ g + strata(s))', () => {
  for (const c of logRankCases) {
    it(c.name, () => {
      tally = tallies.regular;
      const result = logRank(
        c.groups.map((g) => ({ time: g.time, event: g.event.map((e) => e === 1), strata: g.strata })),
      );
      const r = c.result;
      expectClose(result.chiSq, r.chiSq, `${c.name} chiSq`);
      expect(result.df).toBe(r.df);
      expectClose(result.pValue, r.pValue, `${c.name} p`);
      for (let g = 0; g < r.observed.length; g++) {
        expectClose(result.observed[g]!, r.observed[g]!, `${c.name} observed[${g}]`);
        expectClose(result.expected[g]!, r.expected[g]!, `${c.name} expected[${g}]`);
        for (let h = 0; h < r.observed.length; h++) {
          expectClose(result.variance[g]![h]!, r.variance[g]![h]!, `${c.name} variance[${g}][${h}]`);
        }
      }
    });
  }
});

afterAll(() => {
  // The figures for the closing note of issue 16.
  for (const [kind, t] of Object.entries(tallies)) {
    console.log(
      `R comparison (${kind}): ${t.values} values, largest absolute difference ${t.maxAbs.toExponential(2)}, ` +
        `largest relative ${t.maxRel.toExponential(2)} (${t.worst})`,
    );
  }
});
