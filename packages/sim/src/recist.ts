/**
 * RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228) as LF-TID v2 reads its scans
 * (docs/model-v2.md §4): lesion diameters from cell numbers, the time-point response of one scan,
 * and the best overall response with confirmation. Pure functions with number arguments (the kernel
 * calls them once per scan).
 */

export type RecistResponse = 'CR' | 'PR' | 'SD' | 'PD' | 'NE';

/** Time-point response codes (kernel storage). */
export const RECIST_CR = 0;
export const RECIST_PR = 1;
export const RECIST_SD = 2;
export const RECIST_PD = 3;

/** Cells per cm³ of tumour. */
export const CELLS_PER_CM3 = 1e9;
/** A lesion is measurable from this longest diameter (mm). */
export const MEASURABLE_MM = 10;
/** PR: fall of the sum of diameters from baseline of at least this fraction. */
export const PR_FALL = 0.3;
/** PD: rise of the sum from its nadir of at least this fraction … */
export const PD_RISE = 0.2;
/** … and at least this many millimetres. */
export const PD_RISE_MM = 5;
/** CR and PR must be confirmed by a scan at least this many days later. */
export const CONFIRMATION_DAYS = 28;
/** SD counts as best response only from a scan at least this many days after baseline. */
export const SD_MIN_DAYS = 42;
/** Relative tolerance of the boundary comparisons (a value on a boundary counts as on it). */
const TOL = 1e-9;

/** Diameter (mm) of a sphere of `cells` tumour cells at 10⁹ cells per cm³. */
export function lesionDiameterMm(cells: number): number {
  return cells > 0 ? 10 * Math.cbrt((6 * cells) / (Math.PI * CELLS_PER_CM3)) : 0;
}

/**
 * Response of one scan. `sumMm`: sum of the target lesions' diameters now; `baselineSumMm` at
 * baseline (0 = no target lesion: only CR, PD by a new lesion, or SD); `nadirSumMm`: the smallest
 * sum so far, baseline included; `newLesion`: a lesion not measurable at baseline is measurable now;
 * `tumourGone`: no visible tumour left.
 */
export function recistTimePoint(
  sumMm: number,
  baselineSumMm: number,
  nadirSumMm: number,
  newLesion: boolean,
  tumourGone: boolean,
): number {
  if (newLesion) return RECIST_PD;
  if (baselineSumMm > 0) {
    const rise = sumMm - nadirSumMm;
    if (rise >= PD_RISE * nadirSumMm * (1 - TOL) && rise >= PD_RISE_MM * (1 - TOL)) return RECIST_PD;
  }
  if (tumourGone) return RECIST_CR;
  if (baselineSumMm > 0 && baselineSumMm - sumMm >= PR_FALL * baselineSumMm * (1 - TOL)) return RECIST_PR;
  return RECIST_SD;
}

/**
 * Best overall response from the scans after baseline (days ascending, codes as `recistTimePoint`,
 * ending at the first PD). CR / PR need a confirming scan (CR: a CR; PR: a PR or CR) at least 28 days
 * later; an unconfirmed CR/PR and any SD count as SD from 42 days; otherwise PD if a scan showed PD
 * or the patient `died` of the tumour, NE if of toxicity (`toxicDeath`) or not at all (follow-up
 * too short for a qualifying scan).
 */
export function bestOverallResponse(
  days: ArrayLike<number>,
  codes: ArrayLike<number>,
  count: number,
  died: boolean,
  toxicDeath: boolean,
): RecistResponse {
  let cr = false;
  let pr = false;
  let sd = false;
  let pd = false;
  for (let i = 0; i < count; i++) {
    const c = codes[i]!;
    if (c === RECIST_PD) {
      pd = true;
      break;
    }
    if (days[i]! >= SD_MIN_DAYS) sd = true;
    for (let j = i + 1; j < count; j++) {
      if (days[j]! - days[i]! < CONFIRMATION_DAYS) continue;
      const d = codes[j]!;
      if (d === RECIST_PD) break;
      if (c === RECIST_CR && d === RECIST_CR) cr = true;
      if (c !== RECIST_SD && d !== RECIST_SD) pr = true;
    }
  }
  if (cr) return 'CR';
  if (pr) return 'PR';
  if (sd) return 'SD';
  if (pd) return 'PD';
  if (died) return toxicDeath ? 'NE' : 'PD';
  return 'NE';
}
