import { describe, expect, it } from 'vitest';
import { chiSquareUpperTail, logGamma, regularizedGammaQ } from '../src/index.js';

/** [x, df, P(χ²_df > x)] from R 4.2.2: sprintf("%.17g", pchisq(x, df, lower.tail = FALSE)). */
const R_PCHISQ_UPPER: [number, number, number][] = [
  [0.001, 1, 0.97477287936996038],
  [0.5, 1, 0.47950012218695348],
  [1, 1, 0.31731050786291415],
  [3.3963886989776015, 1, 0.065339322040505118],
  [3.841458820694124, 1, 0.049999999999999975],
  [10, 1, 0.0015654022580025519],
  [30, 1, 4.3204630578274968e-8],
  [100, 1, 1.5239706048321054e-23],
  [0.001, 2, 0.99950012497916929],
  [0.5, 2, 0.77880078307140488],
  [1, 2, 0.60653065971263342],
  [3.3963886989776015, 2, 0.18301368463893988],
  [3.841458820694124, 2, 0.14650006448608432],
  [10, 2, 0.006737946999085467],
  [30, 2, 3.0590232050182579e-7],
  [100, 2, 1.9287498479639178e-22],
  [0.001, 3, 0.99999159208094202],
  [0.5, 3, 0.91889141165467592],
  [1, 3, 0.80125195690120077],
  [3.3963886989776015, 3, 0.33445086102892424],
  [3.841458820694124, 3, 0.27910046378359754],
  [10, 3, 0.018566135463043233],
  [30, 3, 1.3800570312932547e-6],
  [100, 3, 1.5541594313896051e-21],
  [0.001, 5, 0.99999999831851227],
  [0.5, 5, 0.9921232932326296],
  [1, 5, 0.96256577324729642],
  [3.3963886989776015, 5, 0.63911999095716987],
  [3.841458820694124, 5, 0.57246046292580277],
  [10, 5, 0.075235246146512197],
  [30, 5, 1.4748581038443054e-5],
  [100, 5, 5.28514836094324e-20],
  [0.001, 10, 1],
  [0.5, 10, 0.99999338828943896],
  [1, 10, 0.99982788437004411],
  [3.3963886989776015, 10, 0.97049984706526549],
  [3.841458820694124, 10, 0.95421572955466571],
  [10, 10, 0.44049328506521246],
  [30, 10, 0.00085664121077530053],
  [100, 10, 5.4497019829205302e-17],
  [0.001, 30, 1],
  [0.5, 30, 1],
  [1, 30, 1],
  [3.3963886989776015, 30, 0.9999999995592691],
  [3.841458820694124, 30, 0.99999999772799009],
  [10, 30, 0.99977374632382321],
  [30, 30, 0.46565370894400965],
  [100, 30, 1.8568023365102387e-9],
  [300, 4, 1.083439491947826e-63],
  [1000, 100, 2.3060767380353981e-148],
  [80, 100, 0.92966493334060507],
];

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

describe('chiSquareUpperTail', () => {
  it('matches R pchisq(lower.tail = FALSE) to 1e-12 relative, down to p = 1e-148', () => {
    for (const [x, df, p] of R_PCHISQ_UPPER) {
      expect(relativeError(chiSquareUpperTail(x, df), p), `x=${x} df=${df}`).toBeLessThan(1e-12);
    }
  });

  it('gives the textbook critical values: 3.841459 on 1 df and 5.991465 on 2 df are p = 0.05', () => {
    expect(chiSquareUpperTail(3.841458820694124, 1)).toBeCloseTo(0.05, 14);
    expect(chiSquareUpperTail(5.991464547107979, 2)).toBeCloseTo(0.05, 14);
  });

  it('equals exp(-x/2) on 2 df (exponential tail)', () => {
    for (const x of [0.01, 0.7, 2, 9.5, 40, 200]) {
      expect(relativeError(chiSquareUpperTail(x, 2), Math.exp(-x / 2))).toBeLessThan(1e-13);
    }
  });

  it('treats the boundaries as R does: x ≤ 0 gives 1, df = 0 is the point mass at 0, NaN for bad df', () => {
    expect(chiSquareUpperTail(0, 3)).toBe(1);
    expect(chiSquareUpperTail(-1, 3)).toBe(1);
    expect(chiSquareUpperTail(0, 0)).toBe(1);
    expect(chiSquareUpperTail(2, 0)).toBe(0);
    expect(chiSquareUpperTail(Number.POSITIVE_INFINITY, 4)).toBe(0);
    expect(chiSquareUpperTail(1, -1)).toBeNaN();
    expect(chiSquareUpperTail(Number.NaN, 1)).toBeNaN();
  });
});

describe('regularizedGammaQ', () => {
  it('satisfies Q(1, x) = e^-x and the recurrence Q(a + 1, x) = Q(a, x) + x^a e^-x / Γ(a + 1)', () => {
    for (const x of [0.05, 1, 3.5, 12, 60]) {
      expect(relativeError(regularizedGammaQ(1, x), Math.exp(-x))).toBeLessThan(1e-13);
      for (const a of [0.5, 2.5, 7, 20]) {
        const step = Math.exp(a * Math.log(x) - x - logGamma(a + 1));
        expect(relativeError(regularizedGammaQ(a + 1, x), regularizedGammaQ(a, x) + step)).toBeLessThan(
          1e-12,
        );
      }
    }
  });
});

describe('logGamma', () => {
  it('gives ln Γ at integers (factorials) and half-integers (√π multiples)', () => {
    let factorial = 1;
    for (let n = 1; n <= 20; n++) {
      factorial *= n;
      expect(relativeError(logGamma(n + 1), Math.log(factorial))).toBeLessThan(1e-14);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(1.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 14);
    expect(logGamma(1)).toBeCloseTo(0, 14);
  });
});
