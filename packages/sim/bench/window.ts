/**
 * lf-tid@2 therapeutic window (docs/model-v2.md §8): OS24 by dose at the defaults with paired SE, the
 * RECIST best responses, dose intensity and toxicity per dose, and a small 3-axis grid
 * (dose × immuneKill × emtPlasticity) with objective response and toxic deaths per point.
 * Usage: node --conditions=@frontline/source --import tsx bench/window.ts [n=2000] [gridN=500] [cohortSeed=1]
 * Same patients (common random numbers) at every point.
 */
import { type PatientOutcomeV2, resolveModelParams, simulateCohort } from '../src/index.js';

const n = Number(process.argv[2] ?? 2000);
const gridN = Number(process.argv[3] ?? 500);
const cohortSeed = Number(process.argv[4] ?? 1);

function cohort(overrides: Record<string, number>, size: number): PatientOutcomeV2[] {
  return simulateCohort('lf-tid@2', resolveModelParams('lf-tid@2', overrides), cohortSeed, 0, size);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const alive = (o: PatientOutcomeV2[]) => o.map((x) => (x.osEvent ? 0 : 1));
function pairedSe(a: number[], b: number[]): number {
  const d = a.map((x, i) => x - b[i]!);
  const m = mean(d);
  return Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1) / d.length);
}

const doses = [0, 1, 2, 4, 8, 16];
const arms = doses.map((dose) => cohort({ dose }, n));
const os = arms.map(alive);
const best = os.reduce((bi, x, i) => (mean(x) > mean(os[bi]!) ? i : bi), 0);
console.log(`## OS24 by dose at the lf-tid@2 defaults (n = ${n} per arm, cohortSeed ${cohortSeed})\n`);
console.log(
  '| dose | OS24 | SE | vs best (paired SE) | RDI | cycles | delays | reductions | grade 4 | toxic deaths | CR | PR | SD | PD | NE | ORR |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
arms.forEach((o, i) => {
  const p = mean(os[i]!);
  const treated = o.filter((x) => x.cyclesReceived > 0);
  const count = (r: string) => o.filter((x) => x.recistBestResponse === r).length;
  const diff =
    i === best ? '–' : `${(p - mean(os[best]!)).toFixed(3)} (${pairedSe(os[i]!, os[best]!).toFixed(3)})`;
  console.log(
    `| ${doses[i]} | ${p.toFixed(3)} | ${Math.sqrt((p * (1 - p)) / n).toFixed(3)} | ${diff} | ` +
      `${treated.length ? mean(treated.map((x) => x.relativeDoseIntensity)).toFixed(3) : '–'} | ` +
      `${mean(o.map((x) => x.cyclesReceived)).toFixed(2)} | ${mean(o.map((x) => x.doseDelays)).toFixed(2)} | ` +
      `${mean(o.map((x) => x.doseReductions)).toFixed(2)} | ${o.filter((x) => x.worstNeutropeniaGrade === 4).length} | ` +
      `${o.filter((x) => x.toxicDeath).length} | ${count('CR')} | ${count('PR')} | ${count('SD')} | ${count('PD')} | ` +
      `${count('NE')} | ${mean(o.map((x) => (x.objectiveResponse ? 1 : 0))).toFixed(3)} |`,
  );
});

console.log(`\n## dose × immuneKill × emtPlasticity (n = ${gridN} per point)\n`);
console.log('| dose | immuneKill | emtPlasticity | OS24 | median scan-PFS (d) | ORR | toxic deaths |');
console.log('|---|---|---|---|---|---|---|');
for (const immuneKill of [0.035, 0.1]) {
  for (const emtPlasticity of [1, 10]) {
    for (const dose of [0, 2, 4, 8, 16]) {
      const o = cohort({ dose, immuneKill, emtPlasticity }, gridN);
      const pfs = o.map((x) => x.scanPfsDays).sort((a, b) => a - b);
      console.log(
        `| ${dose} | ${immuneKill} | ${emtPlasticity} | ${mean(alive(o)).toFixed(3)} | ${pfs[pfs.length >> 1]} | ` +
          `${mean(o.map((x) => (x.objectiveResponse ? 1 : 0))).toFixed(3)} | ${o.filter((x) => x.toxicDeath).length} |`,
      );
    }
  }
}
