import { describe, expect, it } from 'vitest';
import type { PatientOutcomeV2 } from '../src/index.js';
import { alive, cohortV2, mean, pairedDiff } from './v2-helpers.js';

const N = 2000;
const DOSES = [0, 1, 2, 4, 8, 16];

describe('lf-tid@2 therapeutic window at the defaults', () => {
  const arms = new Map<number, PatientOutcomeV2[]>(DOSES.map((dose) => [dose, cohortV2({ dose }, N)]));
  const os = new Map(DOSES.map((d) => [d, alive(arms.get(d)!)]));

  it('OS24 over doses 0, 1, 2, 4, 8, 16 rises then falls: an interior maximum above both ends and both neighbours by > 3 paired SE', () => {
    const table = DOSES.map((d) => {
      const o = arms.get(d)!;
      const p = mean(os.get(d)!);
      const treated = o.filter((x) => x.cyclesReceived > 0);
      return {
        dose: d,
        os24: p.toFixed(3),
        se: Math.sqrt((p * (1 - p)) / N).toFixed(3),
        rdi: treated.length ? mean(treated.map((x) => x.relativeDoseIntensity)).toFixed(3) : '–',
        toxicDeaths: o.filter((x) => x.toxicDeath).length,
        grade4: o.filter((x) => x.worstNeutropeniaGrade === 4).length,
        orr: mean(o.map((x) => (x.objectiveResponse ? 1 : 0))).toFixed(3),
      };
    });
    console.table(table);
    const best = DOSES.slice(1, -1).reduce((a, b) => (mean(os.get(b)!) > mean(os.get(a)!) ? b : a));
    const i = DOSES.indexOf(best);
    for (const other of [0, 16, DOSES[i - 1]!, DOSES[i + 1]!]) {
      const { diff, se } = pairedDiff(os.get(best)!, os.get(other)!);
      console.log(`OS24 dose ${best} − dose ${other}: ${diff.toFixed(4)} (paired SE ${se.toFixed(4)})`);
      expect(diff).toBeGreaterThan(3 * se);
    }
  });

  it('all four RECIST categories occur at the default dose', () => {
    const counts = { CR: 0, PR: 0, SD: 0, PD: 0, NE: 0 };
    for (const o of arms.get(2)!) counts[o.recistBestResponse]++;
    console.log('RECIST best response at dose 2:', counts);
    for (const c of ['CR', 'PR', 'SD', 'PD'] as const) expect(counts[c]).toBeGreaterThan(10);
  });

  it('relative dose intensity falls at high doses as delays and reductions kick in', () => {
    const rdi = (d: number) => arms.get(d)!.map((x) => x.relativeDoseIntensity);
    for (const [lo, hi] of [
      [1, 2],
      [2, 4],
      [4, 8],
    ] as const) {
      const { diff, se } = pairedDiff(rdi(lo), rdi(hi));
      expect(diff).toBeGreaterThan(3 * se);
    }
    expect(mean(rdi(16))).toBeLessThan(0.8);
    expect(mean(rdi(1))).toBeGreaterThan(0.95);
  });
});
