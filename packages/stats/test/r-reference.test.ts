/**
 * Agreement with R's survival package (3.5-3) on public data sets it ships (aml, lung, veteran, colon, pbc,
 * ovarian, gbsg, nwtco, mgus2: ties, heavy censoring, up to four groups), constructed edge cases and 160 random
 * small data sets. The values were produced by fixtures/r-reference.R; see that file to regenerate them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  kaplanMeier,
  logRank,
  medianSurvival,
  rmst,
  type SurvivalCurve,
  survivalQuantile,
} from '../src/index.js';

type Numbers = (number | null)[];
interface ReferenceCase {
  name: string;
  confLevel: number;
  groups: { label: string; time: number[]; event: number[] }[];
  results: {
    curve: Record<
      'time' | 'nRisk' | 'nEvent' | 'nCensor' | 'survival' | 'stdErr' | 'lower' | 'upper',
      Numbers
    >;
    quantile: { p: number[]; quantile: Numbers; lower: Numbers; upper: Numbers };
    printMedian: { median: number | null; lower: number | null; upper: number | null };
    rmean: { tau: number; rmean: number; se: number }[];
  }[];
  logRank: {
    chisq: number;
    df: number;
    pvalue: number | null;
    observed: number[];
    expected: number[];
    variance: number[][];
  } | null;
}

const cases = readFileSync(new URL('./fixtures/r-reference.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as ReferenceCase);

/** R's NA/NaN arrive as null; ours are NaN (arrays) or null (scalars). Relative tolerance 1e-10. */
function expectClose(actual: number | null | undefined, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual === null || Number.isNaN(actual), `${what}: expected NA, got ${actual}`).toBe(true);
    return;
  }
  expect(actual, what).toBeTypeOf('number');
  const scale = Math.max(1, Math.abs(expected));
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(
    1e-10 * scale,
  );
}

function expectArrayClose(actual: readonly number[], expected: Numbers, what: string): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  expected.forEach((value, i) => {
    expectClose(actual[i], value, `${what}[${i}]`);
  });
}

const groupInput = (group: ReferenceCase['groups'][number]) => ({
  time: group.time,
  event: group.event.map((e) => e === 1),
});

describe('agreement with R survival on reference data sets', () => {
  it('has the reference cases', () => {
    expect(cases.length).toBeGreaterThan(170);
  });

  for (const referenceCase of cases) {
    describe(referenceCase.name, () => {
      const curves: SurvivalCurve[] = referenceCase.groups.map((group) =>
        kaplanMeier(groupInput(group), { confLevel: referenceCase.confLevel }),
      );

      it('Kaplan–Meier rows, Greenwood errors and log-scale limits match survfit', () => {
        referenceCase.results.forEach((result, g) => {
          const curve = curves[g]!;
          for (const column of Object.keys(result.curve) as (keyof typeof result.curve)[]) {
            expectArrayClose(curve[column], result.curve[column], `group ${g} ${column}`);
          }
        });
      });

      it('quantiles and their limits match quantile.survfit; medians match print.survfit', () => {
        referenceCase.results.forEach((result, g) => {
          const curve = curves[g]!;
          result.quantile.p.forEach((p, i) => {
            const ours = survivalQuantile(curve, p);
            expectClose(ours.quantile, result.quantile.quantile[i]!, `group ${g} quantile ${p}`);
            expectClose(ours.lower, result.quantile.lower[i]!, `group ${g} quantile ${p} lower`);
            expectClose(ours.upper, result.quantile.upper[i]!, `group ${g} quantile ${p} upper`);
          });
          const printed = medianSurvival(curve, { rule: 'print' });
          expectClose(printed.median, result.printMedian.median, `group ${g} print median`);
          expectClose(printed.lower, result.printMedian.lower, `group ${g} print median lower`);
          expectClose(printed.upper, result.printMedian.upper, `group ${g} print median upper`);
        });
      });

      it('restricted means and their standard errors match print(fit, rmean = tau)', () => {
        referenceCase.results.forEach((result, g) => {
          for (const reference of result.rmean) {
            const ours = rmst(curves[g]!, reference.tau);
            expectClose(ours.rmst, reference.rmean, `group ${g} rmst(${reference.tau})`);
            expectClose(ours.stdErr, reference.se, `group ${g} se rmst(${reference.tau})`);
          }
        });
      });

      const reference = referenceCase.logRank;
      if (reference !== null) {
        it('log-rank observed, expected, variance, χ² and p match survdiff', () => {
          const ours = logRank(referenceCase.groups.map(groupInput));
          expectArrayClose(ours.observed, reference.observed, 'observed');
          expectArrayClose(ours.expected, reference.expected, 'expected');
          reference.variance.forEach((row, j) => {
            expectArrayClose(ours.variance[j]!, row, `variance row ${j}`);
          });
          expectClose(ours.chiSq, reference.chisq, 'chi-square');
          if (reference.df >= 0) {
            expect(ours.df).toBe(reference.df);
            expectClose(ours.pValue, reference.pvalue, 'p-value');
          } else {
            expect(Number.isNaN(ours.pValue)).toBe(true); // no events at all: R's pchisq(0, -1) is NaN
          }
        });
      }
    });
  }
});
