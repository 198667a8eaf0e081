import { describe, expect, it } from 'vitest';
import {
  SALTELLI_MAX_AXES,
  saltelliMatrices,
  saltelliPointCount,
  saltelliPoints,
  saltelliRole,
  saltelliUnitPoints,
  scaleUnit,
  sobolPoints,
} from '../src/index.js';

const axes = {
  dose: { min: 0, max: 10, scale: 'linear' as const },
  seedingRate: { min: 1e-6, max: 1e-4, scale: 'log' as const },
  immuneKill: { min: 0.01, max: 0.35 },
};

describe('saltelliMatrices', () => {
  it('A and B are the two halves of a 2d-dimensional scrambled Sobol sequence', () => {
    const { a, b, ab } = saltelliMatrices(16, 3, 9);
    const base = sobolPoints(16, 6, 9);
    expect(a).toEqual(base.map((p) => p.slice(0, 3)));
    expect(b).toEqual(base.map((p) => p.slice(3)));
    expect(ab).toHaveLength(3);
    for (const m of [a, b, ...ab]) {
      expect(m).toHaveLength(16);
      for (const row of m) expect(row).toHaveLength(3);
    }
  });

  it('AB_i equals A except column i, which is B’s', () => {
    const { a, b, ab } = saltelliMatrices(32, 4, 1);
    ab.forEach((abi, i) => {
      abi.forEach((row, j) => {
        row.forEach((x, k) => {
          expect(x).toBe(k === i ? b[j]![k] : a[j]![k]);
        });
      });
    });
  });

  it('A and B columns are balanced nets: one point per bin of 1/N at N = 2^m', () => {
    const n = 64;
    const { a, b } = saltelliMatrices(n, 3, 4);
    for (const m of [a, b]) {
      for (let k = 0; k < 3; k++) {
        const bins = new Set(m.map((row) => Math.floor(row[k]! * n)));
        expect(bins.size).toBe(n);
      }
    }
  });

  it('is reproducible for a seed and differs between seeds', () => {
    expect(saltelliUnitPoints(8, 2, 5)).toEqual(saltelliUnitPoints(8, 2, 5));
    expect(saltelliUnitPoints(8, 2, 6)[0]).not.toEqual(saltelliUnitPoints(8, 2, 5)[0]);
  });

  it('names its limits', () => {
    expect(() => saltelliMatrices(1, 3, 0)).toThrow(/samples must be an integer ≥ 2, got 1/);
    expect(() => saltelliMatrices(8, 0, 0)).toThrow(/dims must be an integer ≥ 1, got 0/);
    expect(SALTELLI_MAX_AXES).toBe(32);
    expect(() => saltelliMatrices(8, 33, 0)).toThrow(/at most 32 axes .* got 33/);
  });
});

describe('saltelliPoints: design order, roles and scales', () => {
  const n = 8;
  const points = saltelliPoints(n, 3, axes);

  it('has N·(d+2) points laid out A, B, AB_0 … AB_{d−1}, each tagged with its role', () => {
    expect(saltelliPointCount(n, 3)).toBe(40);
    expect(points).toHaveLength(40);
    expect(points[0]!.role).toEqual({ block: 'A', row: 0 });
    expect(points[7]!.role).toEqual({ block: 'A', row: 7 });
    expect(points[8]!.role).toEqual({ block: 'B', row: 0 });
    expect(points[16]!.role).toEqual({ block: 'AB', factor: 0, row: 0 });
    expect(points[39]!.role).toEqual({ block: 'AB', factor: 2, row: 7 });
    points.forEach((p, index) => {
      expect(saltelliRole(index, n, 3)).toEqual(p.role);
    });
  });

  it('maps the unit points onto the axes, log axes evenly in log space', () => {
    const unit = saltelliUnitPoints(n, 3, 3);
    expect(points.map((p) => p.axisValues)).toEqual(
      unit.map(([u0, u1, u2]) => ({
        dose: scaleUnit(u0!, axes.dose),
        seedingRate: scaleUnit(u1!, axes.seedingRate),
        immuneKill: scaleUnit(u2!, axes.immuneKill),
      })),
    );
    for (const { axisValues } of points) {
      expect(axisValues.seedingRate).toBeGreaterThanOrEqual(1e-6);
      expect(axisValues.seedingRate).toBeLessThanOrEqual(1e-4);
    }
  });

  it('AB_i points share every axis value with the A point of their row except axis i', () => {
    const names = Object.keys(axes);
    for (const p of points) {
      if (p.role.block !== 'AB') continue;
      const { factor, row } = p.role;
      const fromA = points[row]!.axisValues;
      const fromB = points[n + row]!.axisValues;
      names.forEach((name, k) => {
        expect(p.axisValues[name]).toBe(k === factor ? fromB[name] : fromA[name]);
      });
    }
  });

  it('rejects an index outside the design', () => {
    expect(() => saltelliRole(40, n, 3)).toThrow(/index must be an integer in \[0, 40\)/);
    expect(() => saltelliRole(-1, n, 3)).toThrow(/got -1/);
  });
});
