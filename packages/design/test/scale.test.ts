import { describe, expect, it } from 'vitest';
import { scaleToAxes, scaleUnit } from '../src/index.js';

describe('scaleToAxes', () => {
  it('maps coordinates linearly onto [min, max] in axis order', () => {
    const axes = {
      dose: { min: 0, max: 10, scale: 'linear' as const },
      immuneKill: { min: 0.01, max: 0.35 },
    };
    const [a, b] = scaleToAxes(
      [
        [0, 0.5],
        [0.25, 0],
      ],
      axes,
    );
    expect(a).toEqual({ dose: 0, immuneKill: 0.18 });
    expect(b!.dose).toBe(2.5);
    expect(b!.immuneKill).toBe(0.01);
  });

  it('maps log axes evenly in log space', () => {
    const range = { min: 1e-6, max: 1e-4, scale: 'log' as const };
    expect(scaleUnit(0, range)).toBeCloseTo(1e-6, 18);
    expect(scaleUnit(0.5, range)).toBeCloseTo(1e-5, 17);
    expect(scaleUnit(0.25, range) / 1e-6).toBeCloseTo(Math.sqrt(10), 10);
  });

  it('never leaves [min, max]', () => {
    const range = { min: 0.1, max: 10, scale: 'log' as const };
    for (const u of [0, 1e-17, 0.5, 1 - 2 ** -53]) {
      const x = scaleUnit(u, range);
      expect(x).toBeGreaterThanOrEqual(0.1);
      expect(x).toBeLessThanOrEqual(10);
    }
  });

  it('rejects log scale with min ≤ 0, min > max and mismatched dimensions', () => {
    expect(() => scaleToAxes([[0.5]], { dose: { min: 0, max: 1, scale: 'log' } })).toThrow(
      /log scale needs min > 0/,
    );
    expect(() => scaleToAxes([[0.5]], { dose: { min: 2, max: 1 } })).toThrow(/min ≤ max/);
    expect(() => scaleToAxes([[0.5, 0.5]], { dose: { min: 0, max: 1 } })).toThrow(/2 coordinates for 1 axes/);
  });

  it('refuses an axis named __proto__, which a plain key would not hold (JSON.parse makes one)', () => {
    const axes = JSON.parse('{"dose": {"min": 0, "max": 1}, "__proto__": {"min": 0, "max": 1}}');
    expect(() => scaleToAxes([[0.5, 0.5]], axes)).toThrow(/axis name __proto__ is not allowed/);
  });

  it('gives each point its own object, keys in axis order', () => {
    const points = scaleToAxes(
      [
        [0, 0.5],
        [0.5, 0],
      ],
      { dose: { min: 0, max: 10 }, immuneKill: { min: 0.25, max: 0.75 } },
    );
    expect(points).toEqual([
      { dose: 0, immuneKill: 0.5 },
      { dose: 5, immuneKill: 0.25 },
    ]);
    expect(points.map((p) => Object.keys(p))).toEqual([
      ['dose', 'immuneKill'],
      ['dose', 'immuneKill'],
    ]);
    expect(points[0]).not.toBe(points[1]);
  });
});
