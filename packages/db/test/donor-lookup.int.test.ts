import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/migrate.js';
import { donorQuery, summaryDonors } from '../src/tallies/reuse.js';
import { scratchDatabase } from './support/scratch-database.js';

/** Stored sweeps, each of its own 25 points (sweep g has points 25·(g − 1) + 1 … 25·g), oldest first. */
const storedSweeps = 400;
const pointsPerSweep = 25;

/** The plan nodes of an EXPLAIN (FORMAT JSON), depth first. */
function planNodes(node: Record<string, unknown>): Record<string, unknown>[] {
  const children = (node.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [node, ...children.flatMap(planNodes)];
}

describe('a summary sweep finds its points’ donors through the sweeps that have them', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  const sweepId = new Map<number, string>();
  beforeAll(async () => {
    scratch = await scratchDatabase();
    await migrate(scratch.url);
    const { client } = scratch;
    await client.query(
      `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, cohort_seed,
                           patients, points, total, reused, outcomes, created_at)
       select 't', 'stored ' || g, 'completed', 'normal', 'lf-tid@2', 'test', '{}', '[]', case when g = 2 then 2 else 1 end,
              2, $2, 0, 0, 'summary', timestamp '2026-01-01' + g * interval '1 minute'
       from generate_series(1, $1) g`,
      [storedSweeps, pointsPerSweep],
    );
    const { rows } = await client.query<{ g: number; id: string }>(
      `select substr(name, 8)::int as g, id from sweeps`,
    );
    for (const r of rows) sweepId.set(r.g, r.id);
    await client.query(
      `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
       select 't', s.id, k, (substr(s.name, 8)::int - 1) * $1 + k + 1, '{}'
       from sweeps s, generate_series(0, $1 - 1) k`,
      [pointsPerSweep],
    );
    // Point 10 again in the newest sweep; point 20 again in sweep 300, its tables in sweep 1 incomplete.
    await client.query(
      `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
       values ('t', $1, 100, 10, '{}'), ('t', $2, 100, 20, '{}')`,
      [sweepId.get(storedSweeps), sweepId.get(300)],
    );
    await client.query(
      `insert into sweep_point_tallies (tenant_id, sweep_id, point_id, patients, cured, best_response,
         leader_histogram, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
         dose_intensity_sum, recist_best_response, step_days, os_counts, pfs_counts, mfs_counts)
       select 't', sweep_id, point_id, case when point_id = 20 and sweep_id = $1 then 1 else 2 end, 0, '{}', '', 0,
              0, 0, 0, 0, 0, '{}', 0.25, '', '', ''
       from sweep_points`,
      [sweepId.get(1)],
    );
    await client.query('analyze');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('gives each point the oldest sweep of its seed and size whose tables hold all its patients', async () => {
    const sweep = { cohortSeed: 1, patients: 2 };
    const donors = await summaryDonors(scratch.client, sweep, [10, 20, 30, 500, 99_999], new Map());
    expect(Object.fromEntries(donors)).toEqual({
      10: sweepId.get(1), // also in the newest sweep: the oldest gives
      20: sweepId.get(300), // sweep 1 holds only 1 of its 2 patients
      500: sweepId.get(20),
      // 30 is only in sweep 2, of another cohort seed; 99,999 in no sweep
    });
    // A point whose stored rows already cover it is not asked for.
    const covered = new Map([[500, [{ start: 0, end: 2 }]]]);
    expect(await summaryDonors(scratch.client, sweep, [500], covered)).toEqual(new Map());
  });

  it('reads a few index entries a point, however many sweeps are stored (no search of every sweep)', async () => {
    const stored = Array.from({ length: 100 }, (_, i) => 1 + i * 97);
    const fresh = Array.from({ length: 100 }, (_, i) => 1_000_000 + i);
    for (const [points, found] of [
      [stored, 100],
      [fresh, 0],
    ] as const) {
      const { rows } = await scratch.client.query<{ 'QUERY PLAN': Record<string, unknown>[] }>(
        `explain (analyze, format json) ${donorQuery}`,
        [points, 1, 2],
      );
      const plan = rows[0]!['QUERY PLAN'][0]!.Plan as Record<string, unknown>;
      expect(plan['Actual Rows']).toBe(found);
      // Every read of the tables is by their key (sweep, point), one search per candidate: asked by point
      // alone, Postgres searched the key once per stored sweep (400 here, a skip scan).
      const keyReads = planNodes(plan).filter((node) =>
        String(node['Index Name']).startsWith('sweep_point_tallies'),
      );
      expect(keyReads.length).toBeGreaterThan(0);
      const searches = keyReads.reduce((sum, node) => sum + Number(node['Index Searches'] ?? 0), 0);
      expect(searches).toBeLessThanOrEqual(found);
      expect(keyReads.every((node) => String(node['Index Cond']).includes('sweep_id ='))).toBe(true);
    }
  });
});
