/**
 * MODEL.md §8 "indicative cohort behaviour": OS24, median OS and cured fraction per arm.
 * Usage: node --conditions=@frontline/source --import tsx bench/indicative.ts [n=2000] [cohortSeed=1]
 * Prints a markdown table (same patients — common random numbers — in every arm).
 */
import { type PatientOutcome, resolveParams, simulatePatient } from '../src/index.js';

export const ARMS: { label: string; overrides: Record<string, number>; reference: string }[] = [
  { label: 'untreated (dose 0)', overrides: { dose: 0 }, reference: 'median OS ≈ 450 d, OS24 ≈ 0.09' },
  { label: 'defaults (dose 2)', overrides: {}, reference: 'OS24 ≈ 0.5, cured ≈ 10%' },
  { label: 'dose 10', overrides: { dose: 10 }, reference: 'OS24 ≈ 0.8' },
  { label: 'immuneKill 0.1', overrides: { immuneKill: 0.1 }, reference: 'OS24 ≈ 0.64, cured ≈ 50%' },
  { label: 'emtPlasticity 0.1', overrides: { emtPlasticity: 0.1 }, reference: 'OS24 ≈ 0.65' },
  { label: 'emtPlasticity 10', overrides: { emtPlasticity: 10 }, reference: 'OS24 ≈ 0.34, cured ≈ 0' },
];

/** Kaplan–Meier S(t) at `at` and the median (first time S ≤ 0.5), from (time, event) pairs. */
export function kmSummary(out: readonly PatientOutcome[], at: number): { s: number; median: number } {
  const rows = out
    .map((o) => [o.osDays, o.osEvent ? 1 : 0] as const)
    .sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let atRisk = rows.length;
  let s = 1;
  let sAt = 1;
  let median = Number.NaN;
  let i = 0;
  while (i < rows.length) {
    const t = rows[i]![0];
    let d = 0;
    let c = 0;
    while (i < rows.length && rows[i]![0] === t) {
      if (rows[i]![1]) d++;
      else c++;
      i++;
    }
    if (d > 0) {
      s *= 1 - d / atRisk;
      if (t <= at) sAt = s;
      if (Number.isNaN(median) && s <= 0.5) median = t;
    }
    atRisk -= d + c;
  }
  return { s: sAt, median };
}

export function runArm(overrides: Record<string, number>, n: number, cohortSeed: number): PatientOutcome[] {
  const p = resolveParams(overrides);
  const out: PatientOutcome[] = [];
  for (let i = 0; i < n; i++) out.push(simulatePatient(p, { cohortSeed, patientIndex: i }));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 2000);
  const seed = Number(process.argv[3] ?? 1);
  console.log(`n = ${n} per arm, cohortSeed = ${seed}\n`);
  console.log('| arm | OS24 (± s.e.) | median OS (d) | cured | CR | MFS24 | reference (MODEL.md §8) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const arm of ARMS) {
    const t0 = performance.now();
    const out = runArm(arm.overrides, n, seed);
    const { s, median } = kmSummary(out, 730);
    const se = Math.sqrt((s * (1 - s)) / n);
    const cured = out.filter((o) => o.cured).length / n;
    const cr = out.filter((o) => o.bestResponse === 'CR').length / n;
    const mfs = out.filter((o) => !o.mfsEvent).length / n;
    const med = Number.isNaN(median) ? '> 730' : median.toFixed(0);
    console.log(
      `| ${arm.label} | ${s.toFixed(3)} (± ${se.toFixed(3)}) | ${med} | ${(100 * cured).toFixed(1)}% | ${(100 * cr).toFixed(1)}% | ${mfs.toFixed(3)} | ${arm.reference} |`,
    );
    console.error(`${arm.label}: ${((performance.now() - t0) / n).toFixed(3)} ms/patient`);
  }
}
