import { describe, expect, it } from 'vitest';
import {
  bestOverallResponse,
  lesionDiameterMm,
  RECIST_CR,
  RECIST_PD,
  RECIST_PR,
  RECIST_SD,
  recistTimePoint,
} from '../src/index.js';

const NAME = ['CR', 'PR', 'SD', 'PD'];

describe('RECIST 1.1 time-point response', () => {
  // [case, sum, baseline sum, nadir sum, new lesion, tumour gone, expected]
  const table: [string, number, number, number, boolean, boolean, string][] = [
    ['29.9 % fall from baseline', 70.1, 100, 100, false, false, 'SD'],
    ['30 % fall from baseline', 70, 100, 100, false, false, 'PR'],
    ['19.9 % rise from the nadir (9.95 mm)', 59.95, 60, 50, false, false, 'SD'],
    ['20 % rise from the nadir (10 mm)', 60, 60, 50, false, false, 'PD'],
    ['24.5 % rise but 4.9 mm', 24.9, 25, 20, false, false, 'SD'],
    ['25 % rise and 5 mm', 25, 25, 20, false, false, 'PD'],
    ['PR from baseline although above the nadir by < 20 %', 65, 100, 60, false, false, 'PR'],
    ['a new measurable lesion', 30, 100, 30, true, false, 'PD'],
    ['no visible tumour', 0, 100, 10, false, true, 'CR'],
    ['no target lesion at baseline', 0, 0, 0, false, false, 'SD'],
  ];
  for (const [name, sum, base, nadir, newLesion, gone, expected] of table) {
    it(`${name} → ${expected}`, () => {
      expect(NAME[recistTimePoint(sum, base, nadir, newLesion, gone)]).toBe(expected);
    });
  }

  it('lesion diameter: a sphere of 10⁹ cells per cm³ (10⁹ cells → 12.41 mm; 10 mm ↔ 5.24·10⁸ cells)', () => {
    expect(lesionDiameterMm(1e9)).toBeCloseTo(12.407, 3);
    expect(lesionDiameterMm((Math.PI / 6) * 1e9)).toBeCloseTo(10, 12);
    expect(lesionDiameterMm(0)).toBe(0);
  });
});

describe('RECIST 1.1 best overall response with confirmation', () => {
  const { CR, PR, SD, PD } = { CR: RECIST_CR, PR: RECIST_PR, SD: RECIST_SD, PD: RECIST_PD };
  // [case, scan days, codes, died, toxic death, expected]
  const table: [string, number[], number[], boolean, boolean, string][] = [
    ['PR confirmed 28 days later', [42, 70], [PR, PR], false, false, 'PR'],
    ['PR re-read 27 days later is unconfirmed → SD', [42, 69], [PR, PR], false, false, 'SD'],
    ['CR confirmed by CR 28 days later', [42, 70], [CR, CR], false, false, 'CR'],
    ['CR followed by PR → PR', [42, 84], [CR, PR], false, false, 'PR'],
    ['PR then CR confirms PR only', [42, 84], [PR, CR], false, false, 'PR'],
    ['SD then PR then PD: PR unconfirmed → SD', [42, 84, 126], [SD, PR, PD], false, false, 'SD'],
    ['SD at day 42 meets the minimum duration', [42, 84], [SD, PD], false, false, 'SD'],
    ['SD only before day 42, then PD → PD', [21, 41, 63], [SD, SD, PD], false, false, 'PD'],
    ['first scan PD', [42], [PD], false, false, 'PD'],
    ['death from the tumour before any scan', [], [], true, false, 'PD'],
    ['toxic death before any scan', [], [], true, true, 'NE'],
    ['follow-up too short for a scan', [], [], false, false, 'NE'],
  ];
  for (const [name, days, codes, died, toxic, expected] of table) {
    it(`${name} → ${expected}`, () => {
      expect(bestOverallResponse(days, codes, days.length, died, toxic)).toBe(expected);
    });
  }
});
