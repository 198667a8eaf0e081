import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/client.js';
import { migrate } from '../src/migrate.js';
import {
  outcomeExportColumnsFor,
  outcomeRowBatches,
  outcomesCsvStream,
} from '../src/results/outcome-export.js';
import { scratchDatabase } from './support/scratch-database.js';

const sweepId = '00000000-0000-4000-8000-00000000e001';
const points = 20;
const patients = 500;
/** Other sweeps' rows in the same table: as many again as the exported sweep's. */
const otherPoints = 20;

/** Scans of the outcomes table, counted by Postgres's statistics (reported when a session ends). */
async function outcomeScans(client: pg.Client) {
  const { rows } = await client.query<{ seq: number; idx: number }>(
    `select seq_scan::int as seq, coalesce(idx_scan, 0)::int as idx
     from pg_stat_user_tables where relname = 'outcomes'`,
  );
  return rows[0]!;
}

/** Synthetic lf-tid@1 rows for `pointIds`, patients 0 … n−1 (values as bench:tallies writes them). */
const insertOutcomes = (pointIds: string) => `
  insert into outcomes (point_id, cohort_seed, patient_index, os_step, os_event, pfs_step, pfs_event, mfs_step,
    mfs_event, best_response, nadir_cells, nadir_day, leader_fraction_at_diagnosis, leader_fraction_at_nadir,
    leader_fraction_at_end, metastatic_cells_at_diagnosis, seeding_events, cured, min_effector, redraws,
    sampled_growth_rate, sampled_diagnosis_cells, sampled_emt_plasticity, sampled_elimination_rate,
    sampled_max_drug_kill, sampled_immune_kill)
  select point_id, 1, k, 1 + k % 7, k % 2 = 0, 1, true, 1, true, 0, 1, 1, 0.1, 0.1, 0.1, 1, 0, false, 1, 0,
         1, 1, 1, 1, 1, 1
  from (${pointIds}) ids, generate_series(0, ${patients} - 1) k`;

/**
 * An export reads its sweep's rows point by point through the outcomes key, in the export's order. As a
 * plain join the planner read the whole outcomes table (every sweep's rows) and sorted the sweep's rows
 * before the first byte: O(table) per export, and a first byte that waited for all of it.
 */
describe("an export reads only its sweep's outcome rows, in key order", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
    await migrate(scratch.url);
    const { client } = scratch;
    await client.query(
      `insert into sweeps (id, name, status, priority, model_id, code_version, spec, axes, reference_arm,
                           cohort_seed, patients, points, total, reused, outcomes, started_at, finished_at)
       values ($1, 'export scan', 'completed', 'normal', 'lf-tid@1', 'test', '{}', '["dose"]', null, 1, $2, $3,
               $4, 0, 'full', now(), now())`,
      [sweepId, patients, points, points * patients],
    );
    await client.query(
      `with p as (insert into point_rows (hash, model_id, params)
         select 'export-scan-' || i, 'lf-tid@1', jsonb_build_object('dose', i, 'stepDays', 0.25)
         from generate_series(0, $2 - 1) i returning id, params)
       insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
       select 'default', $1::uuid, (params ->> 'dose')::int, id, params - 'stepDays' from p`,
      [sweepId, points],
    );
    await client.query(
      `insert into point_rows (hash, model_id, params)
       select 'export-scan-other-' || i, 'lf-tid@1', '{"stepDays": 0.25}' from generate_series(1, $1) i`,
      [otherPoints],
    );
    await client.query(insertOutcomes(`select point_id from sweep_points where sweep_id = '${sweepId}'`));
    await client.query(
      insertOutcomes(`select id as point_id from point_rows where hash like 'export-scan-other-%'`),
    );
    await client.query('analyze');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('a CSV export of half the table: no sequential scan of outcomes, rows by point index then patient', async () => {
    const before = await outcomeScans(scratch.client);
    const reader = connectDatabase(scratch.url);
    const scope = { sweepId, cohortSeed: 1, patients, modelId: 'lf-tid@1' };
    const stream = await outcomesCsvStream(reader.pool, scope, outcomeExportColumnsFor(['dose'], 'lf-tid@1'));
    let csv = '';
    for await (const chunk of stream) csv += chunk;
    await reader.close();

    const [header, ...lines] = csv.trimEnd().split('\n');
    const columns = header!.split(',');
    const at = (name: string) => columns.indexOf(name);
    expect(lines).toHaveLength(points * patients);
    const keys = lines.map((line) => {
      const cells = line.split(',');
      return [
        Number(cells[at('pointIndex')]),
        Number(cells[at('patientIndex')]),
        Number(cells[at('osDays')]),
      ];
    });
    // Every (point, patient) once, in the export's order, each with its own row's values.
    keys.forEach(([pointIndex, patientIndex, os], i) => {
      expect([pointIndex, patientIndex]).toEqual([Math.floor(i / patients), i % patients]);
      expect(os).toBe((1 + (patientIndex! % 7)) * 0.25);
    });

    const after = await outcomeScans(scratch.client);
    expect(after.seq - before.seq).toBe(0);
    // One index scan of the outcomes key per point.
    expect(after.idx - before.idx).toBe(points);
  });

  it('the cursor of NDJSON and Parquet exports reads the same way, in the same order', async () => {
    const before = await outcomeScans(scratch.client);
    const reader = connectDatabase(scratch.url);
    const scope = { sweepId, cohortSeed: 1, patients, modelId: 'lf-tid@1' };
    const keys: number[][] = [];
    for await (const batch of outcomeRowBatches(
      reader.pool,
      scope,
      outcomeExportColumnsFor(['dose'], 'lf-tid@1'),
      3_000,
    ))
      for (const row of batch)
        keys.push([row.pointIndex as number, row.patientIndex as number, row.dose as number]);
    await reader.close();
    expect(keys).toHaveLength(points * patients);
    keys.forEach(([pointIndex, patientIndex, dose], i) => {
      expect([pointIndex, patientIndex, dose]).toEqual([Math.floor(i / patients), i % patients, pointIndex]);
    });
    const after = await outcomeScans(scratch.client);
    expect(after.seq - before.seq).toBe(0);
    expect(after.idx - before.idx).toBe(points);
  });
});
