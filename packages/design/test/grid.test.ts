import { describe, expect, it } from 'vitest';
import { gridPoints, gridSize } from '../src/index.js';

describe('gridPoints', () => {
  it('is the cartesian product, first axis slowest', () => {
    const points = gridPoints({
      dose: [0, 1, 2, 5],
      immuneKill: [0.01, 0.035, 0.1],
      emtPlasticity: [0.1, 1, 10],
    });
    expect(points).toHaveLength(36);
    expect(
      gridSize({ dose: [0, 1, 2, 5], immuneKill: [0.01, 0.035, 0.1], emtPlasticity: [0.1, 1, 10] }),
    ).toBe(36);
    expect(points[0]).toEqual({ dose: 0, immuneKill: 0.01, emtPlasticity: 0.1 });
    expect(points[1]).toEqual({ dose: 0, immuneKill: 0.01, emtPlasticity: 1 });
    expect(points[3]).toEqual({ dose: 0, immuneKill: 0.035, emtPlasticity: 0.1 });
    expect(points[9]).toEqual({ dose: 1, immuneKill: 0.01, emtPlasticity: 0.1 });
    expect(points[35]).toEqual({ dose: 5, immuneKill: 0.1, emtPlasticity: 10 });
    expect(Object.keys(points[0]!)).toEqual(['dose', 'immuneKill', 'emtPlasticity']);
  });

  it('keeps listed order within an axis and covers every combination once', () => {
    const points = gridPoints({ a: [3, 1, 2], b: [20, 10] });
    expect(points.map((p) => [p.a, p.b])).toEqual([
      [3, 20],
      [3, 10],
      [1, 20],
      [1, 10],
      [2, 20],
      [2, 10],
    ]);
  });

  it('is empty without axes or with an empty axis', () => {
    expect(gridPoints({})).toEqual([]);
    expect(gridSize({})).toBe(0);
    expect(gridPoints({ a: [1, 2], b: [] })).toEqual([]);
    expect(gridSize({ a: [1, 2], b: [] })).toBe(0);
  });

  it('keeps an axis named like a prototype key as plain data', () => {
    const axes = JSON.parse('{"__proto__": [1, 2]}') as Record<string, number[]>;
    const points = gridPoints(axes);
    expect(points).toHaveLength(2);
    expect(Object.getPrototypeOf(points[0])).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(points[1], '__proto__')?.value).toBe(2);
  });
});
