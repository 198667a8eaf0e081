/**
 * x' V⁻ x for a symmetric positive semi-definite V, with V⁻ a generalised inverse. LDLᵀ elimination drops
 * a coordinate whose pivot has lost all but a tiny fraction of its own diagonal (it is a linear combination
 * of the earlier ones), so a singular V still gives the quadratic form on the remaining coordinates, and the
 * number of coordinates kept is the rank. For a non-singular V this is the ordinary x' V⁻¹ x.
 */

/** A pivot below this fraction of its diagonal is treated as linearly dependent (exact dependence leaves ~1e-16). */
const DEPENDENCE_TOLERANCE = 1e-10;

export interface QuadraticForm {
  readonly value: number;
  readonly rank: number;
}

export function generalisedQuadraticForm(
  v: readonly (readonly number[])[],
  x: readonly number[],
): QuadraticForm {
  const m = x.length;
  const lower: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const pivot = new Array<number>(m).fill(0);
  const kept = new Array<boolean>(m).fill(false);
  for (let j = 0; j < m; j++) {
    const diagonal = v[j]![j]!;
    let d = diagonal;
    for (let k = 0; k < j; k++) if (kept[k]) d -= lower[j]![k]! * lower[j]![k]! * pivot[k]!;
    if (!(diagonal > 0) || d <= DEPENDENCE_TOLERANCE * diagonal) continue;
    kept[j] = true;
    pivot[j] = d;
    for (let i = j + 1; i < m; i++) {
      let sum = v[i]![j]!;
      for (let k = 0; k < j; k++) if (kept[k]) sum -= lower[i]![k]! * lower[j]![k]! * pivot[k]!;
      lower[i]![j] = sum / d;
    }
  }
  // Forward substitution L z = x on the kept coordinates, then x' V⁻ x = Σ z_j² / d_j.
  const z = new Array<number>(m).fill(0);
  let value = 0;
  let rank = 0;
  for (let j = 0; j < m; j++) {
    if (!kept[j]) continue;
    let sum = x[j]!;
    for (let k = 0; k < j; k++) if (kept[k]) sum -= lower[j]![k]! * z[k]!;
    z[j] = sum;
    value += (sum * sum) / pivot[j]!;
    rank++;
  }
  return { value, rank };
}
