/**
 * A survival request's statistics split over the statistics threads (tests in one task, the groups' curves
 * in slices) and a points request's summaries in slices give the same answer, to the byte, as one task.
 */

import { type PackedSurvivalCounts, packStepCounts } from '@frontline/db';
import { afterAll, describe, expect, it } from 'vitest';
import { createStatsPool, slices } from '../src/stats-pool.js';
import type { SurvivalStatsTask } from '../src/stats-task.js';

/** A point's stored table on the 0.25-day grid, packed as the database holds it: a few events and censorings per step. */
function packedPoint(pointId: number, steps: number): PackedSurvivalCounts {
  const table = { steps: [] as number[], events: [] as number[], censored: [] as number[] };
  for (let i = 0; i < steps; i++) {
    table.steps.push(i + 1 + (pointId % 4));
    table.events.push((i * 7 + pointId) % 4);
    table.censored.push((i * 3 + pointId) % 5 === 0 ? 1 : 0);
  }
  return { pointId, stepDays: 0.25, counts: packStepCounts(table) };
}

/**
 * 5 groups × 3 strata, as the survival route builds them: a cell per point, but cell 7 pools two points
 * and cell 4's point has no table yet.
 */
function survivalTask(
  comparison: SurvivalStatsTask['comparison'],
  stratified: boolean,
): Omit<SurvivalStatsTask, 'kind'> {
  const groups = 5;
  const cells = Array.from({ length: groups * 3 }, (_, c) => ({ group: Math.floor(c / 3), stratum: c % 3 }));
  const pointCells = [...cells.map((_, c) => ({ pointId: 100 + c, group: c })), { pointId: 200, group: 7 }];
  return {
    cells: {
      packed: pointCells.filter((p) => p.pointId !== 104).map((p) => packedPoint(p.pointId, 300)),
      pointCells,
      group: cells.map((c) => c.group),
      stratum: cells.map((c) => c.stratum),
      cohortPatients: 2_000,
    },
    stratified,
    heads: Array.from({ length: groups }, (_, g) => ({ key: { dose: g }, points: 3 })),
    taus: Array.from({ length: groups }, (_, g) => 60 + g),
    at: [20, 40],
    maxPoints: 120,
    comparison,
  };
}

const options = { timeoutMs: 20_000, memoryMb: 256 };
const one = createStatsPool({ ...options, threads: 1 });
const two = createStatsPool({ ...options, threads: 2 });
afterAll(async () => {
  await one.close();
  await two.close();
});

describe('statistics split over threads', () => {
  it('slices 0 … n − 1 in order, two per thread, never empty', () => {
    expect(slices(5, 2)).toEqual([[0], [1], [2], [3, 4]]);
    expect(slices(3, 2)).toEqual([[0], [1], [2]]);
    expect(slices(4, 1)).toEqual([[0, 1, 2, 3]]);
    expect(slices(0, 2)).toEqual([]);
  });

  const cases: [string, SurvivalStatsTask['comparison'], boolean][] = [
    ['reference arm, stratified', { method: 'referenceArm', references: [null, 0, 0, 0, 0] }, true],
    [
      'reference arm, a group without a reference',
      { method: 'referenceArm', references: [null, 0, null, 1, 0] },
      false,
    ],
    ['all groups, stratified', { method: 'allGroups' }, true],
    ['all groups, unstratified', { method: 'allGroups' }, false],
  ];
  for (const [name, comparison, stratified] of cases) {
    it(`survival: the same JSON from one task and from the split (${name})`, async () => {
      const task = survivalTask(comparison, stratified);
      const whole = await one.survival(task);
      const split = await two.survival(task);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(whole.groups);
      expect(Buffer.from(split.groups).equals(Buffer.from(whole.groups))).toBe(true);
      expect(split.overall).toEqual(whole.overall);
      const groups = JSON.parse(text);
      // The text JSON.stringify makes of the groups (logRank last), as before the split.
      expect(JSON.stringify(groups)).toBe(text);
      expect(Object.keys(groups[0]).at(-1)).toBe('logRank');
      expect(groups).toHaveLength(5);
      // The tests are there (not all null): the split has something to get wrong.
      expect(groups.filter((g: { logRank: unknown }) => g.logRank !== null).length).toBeGreaterThan(0);
      expect(groups[1].curve.thinnedFrom).toBeGreaterThan(120);
    });
  }

  it('points: the same summaries from one task and from slices', async () => {
    const pointIds = [11, 12, 13, 14, 15, 16, 17];
    const task = {
      pointIds,
      // Point 13 has no table yet.
      os: pointIds.filter((id) => id !== 13).map((id) => packedPoint(id, 400)),
      pfs: pointIds
        .map((id) => packedPoint(30 - id, 300))
        .map((row, i) => ({ ...row, pointId: pointIds[i]! })),
      taus: pointIds.map((id) => 80 + id),
      at: [30, 60],
    };
    const whole = await one.points(task);
    expect(whole).toHaveLength(7);
    expect(whole[3]!.os.rmst).toBeGreaterThan(0);
    expect(whole[2]!.os.rmst).toBeNull();
    expect(await two.points(task)).toEqual(whole);
  });
});
