/**
 * A survival request's statistics split over the statistics threads (tests in one task, the groups' curves
 * in slices) and a points request's summaries in slices give the same answer, to the byte, as one task.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createStatsPool, slices } from '../src/stats-pool.js';
import type { SurvivalStatsTask } from '../src/stats-task.js';

/** A cell's count table on the 0.25-day grid: deterministic, a few events and censorings per step. */
function cellTable(seed: number, steps: number) {
  const time = new Float64Array(steps);
  const nEvent = new Int32Array(steps);
  const nCensor = new Int32Array(steps);
  for (let i = 0; i < steps; i++) {
    time[i] = (i + 1 + (seed % 4)) * 0.25;
    nEvent[i] = (i * 7 + seed) % 4;
    nCensor[i] = (i * 3 + seed) % 5 === 0 ? 1 : 0;
  }
  return { time, nEvent, nCensor };
}

/** 5 groups × 3 strata (one cell empty), as the survival route builds them. */
function survivalTask(
  comparison: SurvivalStatsTask['comparison'],
  stratified: boolean,
): Omit<SurvivalStatsTask, 'kind'> {
  const groups = 5;
  const cells = Array.from({ length: groups * 3 }, (_, c) => ({ group: Math.floor(c / 3), stratum: c % 3 }));
  return {
    cells: {
      counts: cells.map((_, c) =>
        c === 4
          ? { time: new Float64Array(0), nEvent: new Int32Array(0), nCensor: new Int32Array(0) }
          : cellTable(c, 300),
      ),
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

  for (const [name, comparison, stratified] of [
    ['reference arm, stratified', { method: 'referenceArm', references: [null, 0, 0, 0, 0] }, true],
    [
      'reference arm, a group without a reference',
      { method: 'referenceArm', references: [null, 0, null, 1, 0] },
      false,
    ],
    ['all groups, stratified', { method: 'allGroups' }, true],
    ['all groups, unstratified', { method: 'allGroups' }, false],
  ] as const) {
    it(`survival: the same JSON from one task and from the split (${name})`, async () => {
      const task = survivalTask(comparison, stratified);
      const whole = await one.survival(task);
      const split = await two.survival(task);
      expect(split.groupsJson).toBe(whole.groupsJson);
      expect(split.overall).toEqual(whole.overall);
      const groups = JSON.parse(whole.groupsJson);
      // The text JSON.stringify makes of the groups (logRank last), as before the split.
      expect(JSON.stringify(groups)).toBe(whole.groupsJson);
      expect(Object.keys(groups[0]).at(-1)).toBe('logRank');
      expect(groups).toHaveLength(5);
      // The tests are there (not all null): the split has something to get wrong.
      expect(groups.filter((g: { logRank: unknown }) => g.logRank !== null).length).toBeGreaterThan(0);
      expect(groups[1].curve.thinnedFrom).toBeGreaterThan(120);
    });
  }

  it('points: the same summaries from one task and from slices', async () => {
    const counts = Array.from({ length: 7 }, (_, i) => cellTable(i, 400));
    const task = { os: counts, pfs: [...counts].reverse(), taus: counts.map((_, i) => 80 + i), at: [30, 60] };
    const whole = await one.points(task);
    expect(whole).toHaveLength(7);
    expect(whole[3]!.os.rmst).toBeGreaterThan(0);
    expect(await two.points(task)).toEqual(whole);
  });
});
