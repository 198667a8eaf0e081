/**
 * The Newton–Raphson fit of a Cox model, a line-by-line port of R survival's `coxfit6.c` (with its
 * `cholesky2`, `chsolve2` and `chinv2`), so iterations, step halving, convergence and the returned variance
 * agree with `coxph` to rounding, quirks included. Rows carry case weights, which hold counts when the input
 * was aggregated; Efron's approximation then spreads the tie over the number of deaths (the summed weight),
 * which for integer counts is exactly the fit of the expanded data.
 */

/** Rows sorted by stratum, then ascending time; `lastOfStratum[i]` is 1 for the last row of each stratum. */
export interface CoxRows {
  readonly time: Float64Array;
  readonly status: Uint8Array;
  readonly weight: Float64Array;
  readonly lastOfStratum: Uint8Array;
  /** One column per covariate. */
  readonly covariates: readonly Float64Array[];
}

/** `coxph.control()` defaults. */
export const COX_CONTROL = {
  eps: 1e-9,
  tolerChol: Number.EPSILON ** 0.75,
  iterMax: 20,
  tolerInf: Math.sqrt(1e-9),
} as const;

export interface CoxFit {
  readonly coef: number[];
  /** Inverse information at the estimate (R's `fit$var`). */
  readonly variance: number[][];
  /** Score vector at the estimate, on the covariates' scale. */
  readonly score: number[];
  /** Log partial likelihood at beta = 0 and at the estimate. */
  readonly loglik: [number, number];
  /** Score test statistic at beta = 0. */
  readonly scoreTest: number;
  readonly iterations: number;
  /** 1000 when iterations ran out, −2 when it converged while halving, otherwise the rank of the information. */
  readonly flag: number;
  /** Rank of the information matrix at beta = 0, and which covariates it dropped as redundant. */
  readonly initialRank: number;
  readonly redundant: boolean[];
  /** Column means subtracted before fitting (0 for columns left uncentred, as R's `nocenter`). */
  readonly means: number[];
}

function squareMatrix(n: number): number[][] {
  return Array.from({ length: n }, () => new Array<number>(n).fill(0));
}

/** FDF' decomposition in the lower triangle; returns the rank (negative if not non-negative definite). */
export function cholesky2(matrix: number[][], n: number, toler: number): number {
  let nonneg = 1;
  let eps = 0;
  for (let i = 0; i < n; i++) {
    if (matrix[i]![i]! > eps) eps = matrix[i]![i]!;
    for (let j = i + 1; j < n; j++) matrix[j]![i] = matrix[i]![j]!;
  }
  if (eps === 0) eps = toler;
  else eps *= toler;
  let rank = 0;
  for (let i = 0; i < n; i++) {
    const pivot = matrix[i]![i]!;
    if (!Number.isFinite(pivot) || pivot < eps) {
      matrix[i]![i] = 0;
      if (pivot < -8 * eps) nonneg = -1;
    } else {
      rank++;
      for (let j = i + 1; j < n; j++) {
        const temp = matrix[j]![i]! / pivot;
        matrix[j]![i] = temp;
        matrix[j]![j]! -= temp * temp * pivot;
        for (let k = j + 1; k < n; k++) matrix[k]![j]! -= temp * matrix[k]![i]!;
      }
    }
  }
  return rank * nonneg;
}

/** Solves A b = y in place from the cholesky2 factor of A; redundant coordinates get 0. */
export function chsolve2(matrix: number[][], n: number, y: number[]): void {
  for (let i = 0; i < n; i++) {
    let temp = y[i]!;
    for (let j = 0; j < i; j++) temp -= y[j]! * matrix[i]![j]!;
    y[i] = temp;
  }
  for (let i = n - 1; i >= 0; i--) {
    if (matrix[i]![i] === 0) y[i] = 0;
    else {
      let temp = y[i]! / matrix[i]![i]!;
      for (let j = i + 1; j < n; j++) temp -= y[j]! * matrix[j]![i]!;
      y[i] = temp;
    }
  }
}

/** Inverse from the cholesky2 factor: the upper triangle and diagonal receive (FDF')⁻¹. */
function chinv2(matrix: number[][], n: number): void {
  for (let i = 0; i < n; i++) {
    if (matrix[i]![i]! > 0) {
      matrix[i]![i] = 1 / matrix[i]![i]!;
      for (let j = i + 1; j < n; j++) {
        matrix[j]![i] = -matrix[j]![i]!;
        for (let k = 0; k < i; k++) matrix[j]![k]! += matrix[j]![i]! * matrix[i]![k]!;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (matrix[i]![i] === 0) {
      for (let j = 0; j < i; j++) matrix[j]![i] = 0;
      for (let j = i; j < n; j++) matrix[i]![j] = 0;
    } else {
      for (let j = i + 1; j < n; j++) {
        const temp = matrix[j]![i]! * matrix[j]![j]!;
        matrix[i]![j] = temp;
        for (let k = i; k < j; k++) matrix[i]![k]! += temp * matrix[j]![k]!;
      }
    }
  }
}

export function fitCox(rows: CoxRows, efron: boolean): CoxFit {
  const { time, status, weight, lastOfStratum } = rows;
  const nused = time.length;
  const nvar = rows.covariates.length;
  const { eps, tolerChol: toler, iterMax: maxiter } = COX_CONTROL;

  // Centre and scale each column (R leaves columns of only -1, 0, 1 alone: coxph's nocenter default).
  const covar = rows.covariates.map((column) => Float64Array.from(column));
  const means = new Array<number>(nvar).fill(0);
  const scale = new Array<number>(nvar).fill(1);
  let totalWeight = 0;
  for (let i = 0; i < nused; i++) totalWeight += weight[i]!;
  for (let v = 0; v < nvar; v++) {
    const x = covar[v]!;
    let zeroOne = true;
    for (let i = 0; i < nused && zeroOne; i++) zeroOne = x[i] === -1 || x[i] === 0 || x[i] === 1;
    if (zeroOne) continue;
    let mean = 0;
    for (let i = 0; i < nused; i++) mean += weight[i]! * x[i]!;
    mean /= totalWeight;
    means[v] = mean;
    for (let i = 0; i < nused; i++) x[i]! -= mean;
    let spread = 0;
    for (let i = 0; i < nused; i++) spread += weight[i]! * Math.abs(x[i]!);
    const s = spread > 0 ? totalWeight / spread : 1;
    scale[v] = s;
    for (let i = 0; i < nused; i++) x[i]! *= s;
  }

  const u = new Array<number>(nvar).fill(0);
  const a = new Array<number>(nvar).fill(0);
  const a2 = new Array<number>(nvar).fill(0);
  const imat = squareMatrix(nvar);
  const cmat = squareMatrix(nvar);
  const cmat2 = squareMatrix(nvar);

  /** Log partial likelihood at beta; fills u (score) and the upper triangle of imat (information). */
  const iterate = (beta: readonly number[]): number => {
    let loglik = 0;
    let denom = 0;
    for (let i = 0; i < nvar; i++) {
      u[i] = 0;
      a2[i] = 0;
      imat[i]!.fill(0);
      cmat2[i]!.fill(0);
    }
    for (let person = nused - 1; person >= 0; ) {
      if (lastOfStratum[person] === 1) {
        denom = 0;
        for (let i = 0; i < nvar; i++) {
          a[i] = 0;
          cmat[i]!.fill(0);
        }
      }
      const dtime = time[person]!;
      let deadwt = 0;
      let denom2 = 0;
      while (person >= 0 && time[person] === dtime) {
        let zbeta = 0;
        for (let i = 0; i < nvar; i++) zbeta += beta[i]! * covar[i]![person]!;
        const w = weight[person]!;
        const risk = Math.exp(zbeta) * w;
        if (status[person] === 0) {
          denom += risk;
          for (let i = 0; i < nvar; i++) {
            a[i]! += risk * covar[i]![person]!;
            for (let j = 0; j <= i; j++) cmat[i]![j]! += risk * covar[i]![person]! * covar[j]![person]!;
          }
        } else {
          deadwt += w;
          denom2 += risk;
          loglik += w * zbeta;
          for (let i = 0; i < nvar; i++) {
            u[i]! += w * covar[i]![person]!;
            a2[i]! += risk * covar[i]![person]!;
            for (let j = 0; j <= i; j++) cmat2[i]![j]! += risk * covar[i]![person]! * covar[j]![person]!;
          }
        }
        person--;
        if (person >= 0 && lastOfStratum[person] === 1) break; // ties do not cross strata
      }
      if (deadwt > 0) {
        // With unit weights deadwt is R's ndead; with counts it is the number of deaths the rows stand for.
        if (!efron || deadwt === 1) {
          denom += denom2;
          loglik -= deadwt * Math.log(denom);
          for (let i = 0; i < nvar; i++) {
            a[i]! += a2[i]!;
            const mean = a[i]! / denom;
            u[i]! -= deadwt * mean;
            for (let j = 0; j <= i; j++) {
              cmat[i]![j]! += cmat2[i]![j]!;
              imat[j]![i]! += (deadwt * (cmat[i]![j]! - mean * a[j]!)) / denom;
            }
          }
        } else {
          // Efron: the tied deaths leave the risk set a fraction 1/ndead at a time.
          const ndead = deadwt;
          for (let k = 0; k < ndead; k++) {
            denom += denom2 / ndead;
            loglik -= Math.log(denom);
            for (let i = 0; i < nvar; i++) {
              a[i]! += a2[i]! / ndead;
              const mean = a[i]! / denom;
              u[i]! -= mean;
              for (let j = 0; j <= i; j++) {
                cmat[i]![j]! += cmat2[i]![j]! / ndead;
                imat[j]![i]! += (cmat[i]![j]! - mean * a[j]!) / denom;
              }
            }
          }
        }
        for (let i = 0; i < nvar; i++) {
          a2[i] = 0;
          cmat2[i]!.fill(0);
        }
      }
    }
    return loglik;
  };

  /** Back to the covariates' own scale, symmetrising the inverse from its upper triangle. */
  const rescale = (beta: number[]): void => {
    for (let i = 0; i < nvar; i++) {
      beta[i]! *= scale[i]!;
      u[i]! /= scale[i]!;
      imat[i]![i]! *= scale[i]! * scale[i]!;
      for (let j = 0; j < i; j++) {
        imat[j]![i]! *= scale[i]! * scale[j]!;
        imat[i]![j] = imat[j]![i]!;
      }
    }
  };

  const beta = new Array<number>(nvar).fill(0);
  const newbeta = new Array<number>(nvar).fill(0);
  const loglik: [number, number] = [iterate(beta), 0];
  loglik[1] = loglik[0];
  for (let i = 0; i < nvar; i++) a[i] = u[i]!;
  let flag = cholesky2(imat, nvar, toler);
  const initialRank = flag;
  const redundant = imat.map((row, i) => row[i] === 0);
  chsolve2(imat, nvar, a);
  let scoreTest = 0;
  for (let i = 0; i < nvar; i++) scoreTest += u[i]! * a[i]!;

  const result = (iterations: number): CoxFit => ({
    coef: beta,
    variance: imat.map((row) => [...row]),
    score: [...u],
    loglik,
    scoreTest,
    iterations,
    flag,
    initialRank,
    redundant,
    means,
  });

  if (!Number.isFinite(loglik[0])) {
    chinv2(imat, nvar);
    rescale(beta);
    return result(0);
  }

  for (let i = 0; i < nvar; i++) newbeta[i] = beta[i]! + a[i]!;
  let halving = 0;
  let iter = 1;
  for (; iter <= maxiter; iter++) {
    const newlk = iterate(newbeta);
    flag = cholesky2(imat, nvar, toler);
    let notfinite = false;
    for (let i = 0; i < nvar; i++) {
      if (!Number.isFinite(u[i]!)) notfinite = true;
      for (let j = 0; j < nvar; j++) if (!Number.isFinite(imat[i]![j]!)) notfinite = true;
    }
    if (!Number.isFinite(newlk)) notfinite = true;
    if (!notfinite && Math.abs(1 - loglik[1] / newlk) <= eps) {
      loglik[1] = newlk;
      chinv2(imat, nvar);
      for (let i = 0; i < nvar; i++) beta[i] = newbeta[i]!;
      rescale(beta);
      if (halving) flag = -2;
      return result(iter);
    }
    if (notfinite || newlk < loglik[1]) {
      // Not improving: step back towards the last good beta, harder each time.
      halving++;
      for (let i = 0; i < nvar; i++) newbeta[i] = (newbeta[i]! + halving * beta[i]!) / (halving + 1);
    } else {
      halving = 0;
      loglik[1] = newlk;
      chsolve2(imat, nvar, u);
      for (let i = 0; i < nvar; i++) {
        beta[i] = newbeta[i]!;
        newbeta[i] = newbeta[i]! + u[i]!;
      }
    }
  }
  // Out of iterations: the last good beta, its loglik and score, and R's variance from that state.
  if (maxiter > 1) loglik[1] = iterate(beta);
  chinv2(imat, nvar);
  rescale(beta);
  flag = 1000;
  return result(iter); // maxiter + 1, as R reports it
}
