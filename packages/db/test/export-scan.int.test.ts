import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/client.js';
import { migrate } from '../src/migrate.js';
import {
  exportPlanSetting,
  exportStatements,
  outcomeExportColumnsFor,
  outcomeRowBatches,
  outcomesCsvStream,
  ownStatementPatients,
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
const insertOutcomes = (pointIds: string, n = patients) => `
  insert into outcomes (point_id, cohort_seed, patient_index, os_step, os_event, pfs_step, pfs_event, mfs_step,
    mfs_event, best_response, nadir_cells, nadir_day, leader_fraction_at_diagnosis, leader_fraction_at_nadir,
    leader_fraction_at_end, metastatic_cells_at_diagnosis, seeding_events, cured, min_effector, redraws,
    sampled_growth_rate, sampled_diagnosis_cells, sampled_emt_plasticity, sampled_elimination_rate,
    sampled_max_drug_kill, sampled_immune_kill)
  select point_id, 1, k, 1 + k % 7, k % 2 = 0, 1, true, 1, true, 0, 1, 1, 0.1, 0.1, 0.1, 1, 0, false, 1, 0,
         1, 1, 1, 1, 1, 1
  from (${pointIds}) ids, generate_series(0, ${n} - 1) k`;

/** A scratch database holding one completed `full` lf-tid@1 sweep on a dose axis (no points yet). */
async function scratchWithSweep(id: string, cohortPatients: number, pointCount: number) {
  const scratch = await scratchDatabase();
  await migrate(scratch.url);
  await scratch.client.query(
    `insert into sweeps (id, name, status, priority, model_id, code_version, spec, axes, reference_arm,
                         cohort_seed, patients, points, total, reused, outcomes, started_at, finished_at)
     values ($1, 'export scan', 'completed', 'normal', 'lf-tid@1', 'test', '{}', '["dose"]', null, 1, $2::int,
             $3::int, $2::bigint * $3, 0, 'full', now(), now())`,
    [id, cohortPatients, pointCount],
  );
  return scratch;
}

/**
 * An export reads its sweep's rows point by point through the outcomes key, in the export's order. As a
 * plain join the planner read the whole outcomes table (every sweep's rows) and sorted the sweep's rows
 * before the first byte: O(table) per export, and a first byte that waited for all of it.
 */
describe("an export reads only its sweep's outcome rows, in key order", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchWithSweep(sweepId, patients, points);
    const { client } = scratch;
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

/**
 * A point of `ownStatementPatients` patients or more is read by a statement of its own, straight down the
 * outcomes key: in the sweep's one statement its rows were sorted before the first of them went out.
 */
describe('an export reads its large points by statements of their own, in the same order', () => {
  const largeSweepId = '00000000-0000-4000-8000-00000000e002';
  const large = ownStatementPatients + 7;
  // Design positions 2 and 4 are large (the cohort's patients); the rest are adaptive points that stopped
  // at 3 patients (their cohort_patients).
  const pointPatients = [3, 3, large, 3, large, 3];
  const doses = [0.5, 1.5, 2.25, 1e-7, 3.125, 7];
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchWithSweep(largeSweepId, large, pointPatients.length);
    const { client } = scratch;
    await client.query(
      `with p as (insert into point_rows (hash, model_id, params)
         select 'large-' || i, 'lf-tid@1', jsonb_build_object('dose', ($2::float8[])[i + 1], 'stepDays', 0.5)
         from generate_series(0, 5) i returning id, hash, params)
       insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values, cohort_patients)
       select 'default', $1::uuid, substr(hash, 7)::int, id, params - 'stepDays',
              nullif(($3::int[])[substr(hash, 7)::int + 1], $4::int) from p`,
      [largeSweepId, doses, pointPatients, large],
    );
    await client.query(
      insertOutcomes(`select id as point_id from point_rows where hash like 'large-%'`, large),
    );
    await client.query('analyze');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  const scope = { sweepId: largeSweepId, cohortSeed: 1, patients: large, modelId: 'lf-tid@1' };
  const columns = outcomeExportColumnsFor(['dose'], 'lf-tid@1');
  /** Every (point, patient) of the design once, in the export's order. */
  const expectedKeys = pointPatients.flatMap((n, pointIndex) =>
    Array.from({ length: n }, (_, patientIndex) => [pointIndex, patientIndex]),
  );

  /** The whole CSV export, from `pool`. */
  const csvOf = async (pool: pg.Pool) => {
    let csv = '';
    for await (const chunk of await outcomesCsvStream(pool, scope, columns)) csv += chunk;
    return csv;
  };

  it('CSV: one header, then every point in design order and its patients in order, with its own values', async () => {
    const reader = connectDatabase(scratch.url);
    const csv = await csvOf(reader.pool);
    await reader.close();
    const [header, ...lines] = csv.trimEnd().split('\n');
    const names = header!.split(',');
    const at = (name: string) => names.indexOf(name);
    expect(lines.filter((line) => line === header)).toHaveLength(0);
    const cells = lines.map((line) => line.split(','));
    expect(cells.map((c) => [Number(c[at('pointIndex')]), Number(c[at('patientIndex')])])).toEqual(
      expectedKeys,
    );
    for (const c of cells) {
      const pointIndex = Number(c[at('pointIndex')]);
      expect(Number(c[at('dose')])).toBe(doses[pointIndex]);
      expect(Number(c[at('osDays')])).toBe((1 + (Number(c[at('patientIndex')]) % 7)) * 0.5);
      expect(c[at('osEvent')]).toBe(String(Number(c[at('patientIndex')]) % 2 === 0));
    }
  });

  it('a reader that goes away in the first statement frees the connection: the next export is whole', async () => {
    // One connection: the second export gets it only once the first has let it go.
    const reader = connectDatabase(scratch.url, { max: 1, connectionTimeoutMs: 10_000 });
    try {
      const whole = await csvOf(reader.pool);
      for await (const chunk of await outcomesCsvStream(reader.pool, scope, columns)) {
        expect(whole.startsWith(String(chunk))).toBe(true);
        break; // destroys the stream mid-COPY
      }
      expect(await csvOf(reader.pool)).toBe(whole);
    } finally {
      await reader.close();
    }
  });

  it('NDJSON and Parquet: the same rows through the cursor, by the same statements', async () => {
    const reader = connectDatabase(scratch.url);
    const keys: number[][] = [];
    for await (const batch of outcomeRowBatches(reader.pool, scope, columns, 4_000))
      for (const row of batch) {
        keys.push([row.pointIndex as number, row.patientIndex as number]);
        expect(row.dose).toBe(doses[row.pointIndex as number]);
        expect(row.osDays).toBe((1 + ((row.patientIndex as number) % 7)) * 0.5);
      }
    await reader.close();
    expect(keys).toEqual(expectedKeys);
  });

  it('each large point is a statement of its own whose plan sorts nothing; the small ones go by ranges', async () => {
    const statements = await exportStatements(scratch.client, scope, columns, true);
    // Points 0–1, point 2, point 3, point 4, points from 5.
    expect(statements).toHaveLength(5);
    const plans: string[] = [];
    // As the export plans them: in a transaction with its plan setting.
    await scratch.client.query('begin');
    await scratch.client.query(exportPlanSetting);
    for (const statement of statements) {
      const { rows } = await scratch.client.query<{ 'QUERY PLAN': unknown }>(
        `explain (format json) ${statement}`,
      );
      plans.push(JSON.stringify(rows[0]!['QUERY PLAN']));
    }
    await scratch.client.query('rollback');
    for (const i of [1, 3]) {
      expect(plans[i]).not.toMatch(/Sort/);
      expect(plans[i]).toMatch(/Index Scan/);
    }
    // The ranges still sort each point's rows (an incremental sort on the point index).
    expect(plans[0]).toMatch(/Incremental Sort/);
  });
});
