import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolder } from '../src/migrate.js';
import '../src/client.js'; // its type parsers: real columns parse to the stored float exactly
import { type OutcomeColumn, outcomeColumns } from '../src/outcome-columns.js';
import {
  outcomeExportColumnsFor,
  outcomeRowBatches,
  outcomesCsvStream,
} from '../src/results/outcome-export.js';
import type { SweepScope } from '../src/results/sweep-scope.js';
import {
  packHistogram,
  packStepCounts,
  unpackHistogram,
  unpackStepCounts,
} from '../src/tallies/packed-counts.js';
import { scratchDatabase } from './support/scratch-database.js';

const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
  entries: { tag: string }[];
};

/** Apply the committed migrations whose journal index is in [from, to), statement by statement. */
async function applyMigrations(client: pg.Client, from: number, to: number) {
  for (const { tag } of journal.entries.slice(from, to)) {
    const sql = readFileSync(join(migrationsFolder, `${tag}.sql`), 'utf8');
    for (const statement of sql.split('--> statement-breakpoint')) await client.query(statement);
  }
}

/**
 * Data written before issue 13 (schema of migration 0007): one completed sweep with its outcomes and a
 * running one with a chunk per point, through 0008 (survival tables from the stored rows) and 0009
 * (chunks on the work sequence), in that order.
 */
describe('migrations 0008 (survival tables), 0009 (work sequence) then 0011 (packed tables) over existing sweeps', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let client: pg.Client;
  beforeAll(async () => {
    scratch = await scratchDatabase();
    client = scratch.client;
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('backfills chunk positions, fails the running sweep with the reason, and tallies stored rows', async () => {
    expect(journal.entries.map((e) => e.tag).slice(7, 10)).toEqual([
      '0007_model_v2',
      '0008_survival_tallies',
      '0009_work_sequence_chunks',
    ]);
    await applyMigrations(client, 0, 8);
    await client.query(
      `insert into points (id, hash, model_id, params) values
         (1, 'p1', 'lf-tid@1', '{"stepDays": 0.25, "dose": 0}'), (2, 'p2', 'lf-tid@1', '{"stepDays": 0.25, "dose": 1}')`,
    );
    const sweep = (id: string, status: string) =>
      client.query(
        `insert into sweeps (id, tenant_id, name, status, priority, model_id, code_version, spec, axes, cohort_seed,
                             patients, points, total, reused)
         values ($1, 't', $2, $2, 'normal', 'lf-tid@1', 'x', '{}', '["dose"]', 5, 4, 2, 8, 0)`,
        [id, status],
      );
    const done = randomUUID();
    const running = randomUUID();
    await sweep(done, 'completed');
    await sweep(running, 'running');
    for (const id of [done, running])
      await client.query(
        `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
         values ('t', $1, 0, 1, '{"dose": 0}'), ('t', $1, 1, 2, '{"dose": 1}')`,
        [id],
      );
    await client.query(
      `insert into chunks (tenant_id, sweep_id, chunk_index, point_id, patient_start, patient_end, status) values
         ('t', $1, 0, 1, 0, 4, 'done'), ('t', $1, 1, 2, 0, 4, 'done'),
         ('t', $2, 0, 1, 0, 3, 'done'), ('t', $2, 1, 1, 3, 4, 'pending'), ('t', $2, 2, 2, 0, 4, 'pending')`,
      [done, running],
    );
    // Four patients of each point stored (seed 5), os times off the 0.25-day grid.
    await client.query(
      `insert into outcomes
       select p, 5, k, 10.1 + k, k % 2 = 0, 5.1, true, 5.1, true, 0::int2, 1e8, 30, 0.1, 0.1, 0.2, 1e3, 0, false, 2.5, 0,
              0.025, 6.5e9, 1, 0.9, 0.9, 0.035
       from generate_series(1, 2) p, generate_series(0, 3) k`,
    );

    await applyMigrations(client, 8, 10);

    const { rows: chunks } = await client.query(
      `select chunk_index as k, work_start::int as s, work_end::int as e from chunks where sweep_id = $1
       order by chunk_index`,
      [running],
    );
    expect(chunks).toEqual([
      { k: 0, s: 0, e: 3 },
      { k: 1, s: 3, e: 4 },
      { k: 2, s: 4, e: 8 },
    ]);
    const { rows: sweeps } = await client.query(
      'select id, status, failure_reason as reason from sweeps order by status',
    );
    expect(sweeps).toEqual([
      { id: done, status: 'completed', reason: null },
      {
        id: running,
        status: 'failed',
        reason: 'planned before chunks spanned points (migration 0009); resubmit it to run the rest',
      },
    ]);
    const { rows: tallies } = await client.query(
      `select point_id as "pointId", patients from sweep_point_tallies where sweep_id = $1 order by point_id`,
      [done],
    );
    expect(tallies).toEqual([
      { pointId: 1, patients: 4 },
      { pointId: 2, patients: 4 },
    ]);
    const { rows: os } = await client.query(
      `select steps, events, censored from sweep_survival_tallies where sweep_id = $1 and point_id = 1 and endpoint = 'os'`,
      [done],
    );
    // os 10.1, 11.1, 12.1, 13.1 d → grid steps ⌈t / 0.25⌉ = 41, 45, 49, 53; events at even patients.
    expect(os).toEqual([{ steps: [41, 45, 49, 53], events: [1, 0, 1, 0], censored: [0, 1, 0, 1] }]);
    const { rows: times } = await client.query(
      'select os_days from outcomes where point_id = 1 order by patient_index',
    );
    expect(times.map((r) => r.os_days)).toEqual([10.25, 11.25, 12.25, 13.25]);
  });

  it("packs the survival tables and leader histograms (0011) into bytes equal to the write path's", async () => {
    expect(journal.entries[11]?.tag).toBe('0011_packed_tallies');
    const { rows: before } = await client.query<{
      sweep: string;
      point: number;
      endpoint: string;
      steps: number[];
    }>(
      `select sweep_id as sweep, point_id as point, endpoint, steps, events, censored
       from sweep_survival_tallies order by 1, 2, 3`,
    );
    const { rows: histogramsBefore } = await client.query(
      `select sweep_id as sweep, point_id as point, leader_bins as bins, leader_counts as counts
       from sweep_point_tallies order by 1, 2`,
    );
    expect(before.length).toBeGreaterThan(0);

    await client.query('begin'); // as migrate() applies them (0010 locks the outcomes table)
    await applyMigrations(client, 10, 12);
    await client.query('commit');

    const { rows: after } = await client.query<{
      sweep: string;
      point: number;
      endpoint: string;
      counts: Buffer;
    }>(
      'select sweep_id as sweep, point_id as point, endpoint, counts from sweep_survival_tallies order by 1, 2, 3',
    );
    expect(
      after.map(({ counts, ...key }) => {
        const unpacked = unpackStepCounts(counts);
        return {
          ...key,
          steps: [...unpacked.steps],
          events: [...unpacked.events],
          censored: [...unpacked.censored],
        };
      }),
    ).toEqual(before);
    // os of point 1: steps 41, 45, 49, 53 alternating one event, one censoring → a byte each, but two for
    // the first (41 × 4 = 164 ≥ 128: 164 mod 128 with the continuation bit, then 1).
    const os = after.find((r) => r.point === 1 && r.endpoint === 'os')!;
    expect([...os.counts]).toEqual([(164 % 128) | 128, 1, 3 * 4 + 1, 3 * 4, 3 * 4 + 1]);
    const { rows: histograms } = await client.query<{ sweep: string; point: number; histogram: Buffer }>(
      'select sweep_id as sweep, point_id as point, leader_histogram as histogram from sweep_point_tallies order by 1, 2',
    );
    expect(histograms.map(({ histogram, ...key }) => ({ ...key, ...unpackHistogram(histogram) }))).toEqual(
      histogramsBefore,
    );

    // The SQL encoders (reuse, backfill) write exactly the write path's bytes, large values included.
    let seed = 11;
    const next = (n: number) => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    for (let trial = 0; trial < 20; trial++) {
      const steps: number[] = [];
      for (
        let step = next(5);
        steps.length < 200 && step < 2_000_000;
        step += 1 + next(trial % 2 ? 40 : 70_000)
      )
        steps.push(step);
      const events = steps.map(() => [0, 1, 2, 127, 128, 1e6][next(6)]!);
      const censored = steps.map((_, i) => (events[i] === 0 ? 1 + next(300) : [0, 1, 5, 16_384][next(4)]!));
      const { rows } = await client.query<{ survival: Buffer; histogram: Buffer }>(
        `select frontline_pack_step_counts($1, $2, $3) as survival, frontline_pack_histogram($1, $3) as histogram`,
        [steps, events, censored],
      );
      expect(rows[0]!.survival.equals(packStepCounts({ steps, events, censored }))).toBe(true);
      expect(rows[0]!.histogram.equals(packHistogram({ bins: steps, counts: censored }))).toBe(true);
    }
  });
});

/**
 * Rows stored before migration 0010 (the old column order): every value, the CSV and NDJSON exports and
 * the survival tables rebuilt from the rows are the same after the table is rewritten in the new order.
 */
describe('migrations 0010 (compact rows), 0011 (packed tables) and 0013 (recorded precision) over stored outcomes', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let client: pg.Client;
  let pool: pg.Pool;
  beforeAll(async () => {
    scratch = await scratchDatabase();
    client = scratch.client;
    pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await scratch?.drop();
  });

  // The columns as migrations 0007–0011 named them: survival times in days (os_days), not steps.
  const legacyName = (c: OutcomeColumn) => (c.gridTime ? c.column.replace(/_step$/, '_days') : c.column);
  const v1Columns = outcomeColumns.filter((c) => !c.v2Only);
  const v2Columns = outcomeColumns.filter((c) => c.v2Only);
  const isSingle = (c: OutcomeColumn) => c.sqlType === 'real';
  /** The v1 sweep of the test below, exported again by the next. */
  let exported: SweepScope | undefined;

  /** Every stored row, parsed exactly (float8 as the double, real as its float through client.ts' parser). */
  const storedRows = async () =>
    (await client.query('select * from outcomes order by point_id, cohort_seed, patient_index'))
      .rows as Record<string, unknown>[];
  const exportsOf = async (scope: SweepScope, axes: string[]) => {
    const columns = outcomeExportColumnsFor(axes, scope.modelId);
    let csv = '';
    for await (const chunk of await outcomesCsvStream(pool, scope, columns)) csv += chunk;
    const rows: Record<string, unknown>[] = [];
    for await (const batch of outcomeRowBatches(pool, scope, columns, 2)) rows.push(...batch);
    return { csv, rows };
  };
  const tablesOf = async (sweepId: string) => ({
    survival: (
      await client.query(
        `select endpoint, point_id, step_days, counts from sweep_survival_tallies where sweep_id = $1
         order by endpoint, point_id`,
        [sweepId],
      )
    ).rows,
    points: (
      await client.query(
        `select point_id, patients, cured, best_response, leader_histogram, v2_patients, objective_responses,
                toxic_deaths, grade4_neutropenia, dosed_patients, dose_intensity_sum::text, recist_best_response
         from sweep_point_tallies where sweep_id = $1 order by point_id`,
        [sweepId],
      )
    ).rows,
  });

  // Exports and reads compute step × (params->>'stepDays')::float8 in SQL; the write path recorded step × stepDays
  // in JavaScript from the same params. Equal bit for bit for any grid and step (the params go through jsonb).
  it("multiplies a step by the point's stepDays in SQL exactly as JavaScript does (property)", async () => {
    const pairs = fc.sample(
      fc.tuple(fc.integer({ min: 0, max: 2_000_000 }), fc.double({ min: 1e-3, max: 1e4, noNaN: true })),
      { numRuns: 5000, seed: 13 },
    );
    const { rows } = await client.query<{ t: number }>(
      `select k * (p::jsonb->>'stepDays')::float8 as t from unnest($1::int4[], $2::text[]) with ordinality as u(k, p, i)
       order by i`,
      [pairs.map(([k]) => k), pairs.map(([, stepDays]) => JSON.stringify({ stepDays }))],
    );
    expect(rows.map((r) => r.t)).toEqual(pairs.map(([k, stepDays]) => k * stepDays));
  });

  it('keeps times exactly (as grid steps), rounds outputs as Math.fround, exports them, and rebuilds equal tables', async () => {
    expect(journal.entries.map((e) => e.tag).slice(9, 14)).toEqual([
      '0009_work_sequence_chunks',
      '0010_compact_outcome_rows',
      '0011_packed_tallies',
      '0012_adaptive_cohorts',
      '0013_narrow_outcome_columns',
    ]);
    await applyMigrations(client, 0, 10);
    const stepDays: Record<number, number> = { 1: 0.25, 2: 0.1 };
    await client.query(
      `insert into points (id, hash, model_id, params) values
         (1, 'p1', 'lf-tid@1', '{"stepDays": 0.25, "dose": 0}'), (2, 'p2', 'lf-tid@2', '{"stepDays": 0.1, "dose": 1}')`,
    );
    const sweep = async (model: string, point: number) => {
      const id = randomUUID();
      await client.query(
        `insert into sweeps (id, tenant_id, name, status, priority, model_id, code_version, spec, axes, cohort_seed,
                             patients, points, total, reused)
         values ($1, 't', 'before 0010', 'completed', 'normal', $2, 'x', '{}', '["dose"]', 7, 3, 1, 3, 0)`,
        [id, model],
      );
      await client.query(
        `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
         values ('t', $1, 0, $2, jsonb_build_object('dose', $2 - 1))`,
        [id, point],
      );
      return { sweepId: id, cohortSeed: 7, patients: 3, modelId: model };
    };
    const v1 = await sweep('lf-tid@1', 1);
    const v2 = await sweep('lf-tid@2', 2);
    exported = v1;
    // Doubles that print with 17 digits, extremes, −0 and subnormals; v1 rows leave v2's columns null.
    const doubles = [
      '0.1::float8 + 0.2::float8',
      '1e-300',
      '5e-324',
      '1.7976931348623157e308',
      "'-0'::float8",
    ];
    // Single-precision outputs: rounded to nearest, to a subnormal float, to ±0 and to Infinity as fround does.
    const singles = [
      '0.1::float8 + 0.2::float8',
      '1e-300',
      '1.5e-45',
      "'-1e-300'::float8",
      '1e39',
      '12345.678901234567',
    ];
    const value = (c: OutcomeColumn, i: number, k: number) =>
      isSingle(c) ? singles[(i + k) % singles.length] : doubles[(i + k) % doubles.length];
    // Times on each point's grid as the write path recorded them since 0008: k × stepDays (0.1's grid
    // makes products such as 3 × 0.1 = 0.30000000000000004, which the steps must give back exactly).
    const onGrid = (point: number, steps: number) => String(steps * stepDays[point]!);
    const v1Values = (point: number, k: number) =>
      v1Columns.map((c, i) => {
        if (c.column === 'cohort_seed') return '7';
        if (c.column === 'patient_index') return String(k);
        if (c.gridTime) return onGrid(point, 41 + 3 * k + i);
        if (['os_event', 'pfs_event', 'mfs_event', 'cured'].includes(c.column))
          return k % 2 === 0 ? 'true' : 'false';
        if (c.column === 'best_response') return String(k);
        if (c.column === 'seeding_events' || c.column === 'redraws') return String(1000 * k + i);
        if (c.column === 'leader_fraction_at_diagnosis') return `${0.1 * (k + 1)}`;
        return value(c, i, k);
      });
    for (let k = 0; k < 3; k++) {
      await client.query(
        `insert into outcomes (point_id, ${v1Columns.map(legacyName).join(', ')}) values (1, ${v1Values(1, k).join(', ')})`,
      );
      const v2Values = v2Columns.map((c, i) => {
        if (c.column.endsWith('_event') || c.column === 'toxic_death' || c.column === 'objective_response')
          return k === 1 ? 'true' : 'false';
        if (c.gridTime) return onGrid(2, 3 + 7 * k);
        if (c.column === 'recist_best_response') return String(k + 1);
        if (c.sqlType === 'integer') return String(k + i);
        return value(c, i, k + 1);
      });
      await client.query(
        `insert into outcomes (point_id, ${[...v1Columns, ...v2Columns].map(legacyName).join(', ')})
         values (2, ${[...v1Values(2, k), ...v2Values].join(', ')})`,
      );
    }
    for (const s of [v1, v2])
      await client.query('select frontline_tally_stored_outcomes($1, array[$2::int4], array[0], array[3])', [
        s.sweepId,
        s.modelId === 'lf-tid@1' ? 1 : 2,
      ]);
    const rowSize = async () =>
      (await client.query('select pg_column_size(o.*) as n from outcomes o where point_id = 1 limit 1'))
        .rows[0].n;
    const before = { rows: await storedRows(), rowSize: await rowSize() };
    expect(before.rows).toHaveLength(6);

    // In one transaction, as migrate() applies them.
    await client.query('begin');
    await applyMigrations(client, 10, 14);
    await client.query('commit');

    // Every stored value: a time as its step (step × stepDays is the old double, bit for bit), an output
    // as Math.fround of the old double, everything else unchanged.
    const expected = before.rows.map((old) => {
      const row: Record<string, unknown> = { point_id: old.point_id };
      for (const c of outcomeColumns) {
        const was = old[legacyName(c)] as number | boolean | null;
        if (was === null) row[c.column] = null;
        else if (c.gridTime) {
          const step = Math.round((was as number) / stepDays[old.point_id as number]!);
          expect(step * stepDays[old.point_id as number]!).toBe(was);
          row[c.column] = step;
        } else row[c.column] = isSingle(c) ? Math.fround(was as number) : was;
      }
      return row;
    });
    const after = await storedRows();
    expect(after).toEqual(expected);
    expect(after.map((r) => r.metastatic_cells_at_diagnosis)).toContain(Number.POSITIVE_INFINITY);
    expect(after.some((r) => Object.is(r.min_effector, -0) || Object.is(r.nadir_cells, -0))).toBe(true);

    // Exports: times in days (step × stepDays in SQL, equal to the old double), outputs as the stored float.
    for (const [scope, point] of [
      [v1, 1],
      [v2, 2],
    ] as const) {
      const { csv, rows } = await exportsOf(scope, ['dose']);
      const olds = before.rows.filter((r) => r.point_id === point);
      expect(rows).toHaveLength(3);
      const header = csv.split('\n')[0]!.split(',');
      const cells = csv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','));
      for (const c of scope.modelId === 'lf-tid@1' ? v1Columns : outcomeColumns) {
        if (!c.gridTime && !isSingle(c)) continue;
        const want = olds.map((r) => (c.gridTime ? r[legacyName(c)] : Math.fround(r[c.column] as number)));
        expect({ field: c.field, values: rows.map((r) => r[c.field]) }).toEqual({
          field: c.field,
          values: want,
        });
        const at = header.indexOf(c.field);
        expect({ field: c.field, csv: cells.map((line) => Number(line[at])) }).toEqual({
          field: c.field,
          csv: want,
        });
      }
      expect(rows.map((r) => r.sampledGrowthRate)).toEqual(olds.map((r) => r.sampled_growth_rate));
    }

    // The tables rebuilt from the rewritten rows (reuse) equal those kept before: steps read as stored, leader
    // bins of the rounded fractions.
    for (const s of [v1, v2]) {
      const kept = await tablesOf(s.sweepId);
      await client.query('delete from sweep_survival_tallies where sweep_id = $1', [s.sweepId]);
      await client.query('delete from sweep_point_tallies where sweep_id = $1', [s.sweepId]);
      await client.query('select frontline_tally_stored_outcomes($1, array[$2::int4], array[0], array[3])', [
        s.sweepId,
        s.modelId === 'lf-tid@1' ? 1 : 2,
      ]);
      expect(kept.survival).toHaveLength(3);
      expect(await tablesOf(s.sweepId)).toEqual(kept);
    }
    // A v1 row: 34 B of padding gone (0010), then 36 B of narrower times and outputs (0013).
    expect({ before: before.rowSize, after: await rowSize() }).toEqual({ before: 224, after: 154 });
    const { rows: columns } = await client.query(
      `select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
       where i.indrelid = 'outcomes'::regclass and i.indisprimary order by array_position(i.indkey::int2[], a.attnum)`,
    );
    expect(columns.map((c) => c.attname)).toEqual(['point_id', 'patient_index', 'cohort_seed']);
    // The app role still reads and writes the rewritten table; the helper function is gone.
    const { rows: grants } = await client.query(
      `select privilege_type from information_schema.role_table_grants
       where table_name = 'outcomes' and grantee = 'frontline_app' order by privilege_type`,
    );
    expect(grants.map((g) => g.privilege_type)).toEqual(['INSERT', 'SELECT']);
    const { rows: helper } = await client.query("select 1 from pg_proc where proname = 'frontline_single'");
    expect(helper).toEqual([]);
  });

  // Postgres ends a session idle in a transaction past idle_in_transaction_session_timeout (the app role's is
  // 60 s, migration 0019). A cursor export is idle in its transaction while its consumer drains a batch, so
  // it sets its own limit. Here sessions of the scratch database get 300 ms, and the consumer takes 700 ms.
  it('keeps a cursor export going past the idle-in-transaction limit while its consumer is slow', async () => {
    const scope = exported!;
    const columns = outcomeExportColumnsFor(['dose'], scope.modelId);
    const { rows: whole } = await exportsOf(scope, ['dose']);
    expect(whole).toHaveLength(3);
    const database = new URL(scratch.url).pathname.slice(1);
    await client.query(`alter database ${database} set idle_in_transaction_session_timeout = '300ms'`);
    const limited = new pg.Pool({ connectionString: scratch.url, max: 1 });
    // What Postgres sent the sessions it ended (SQLSTATE), as an 'error' event of the pooled client.
    const ended: string[] = [];
    limited.on('error', () => {});
    limited.on('connect', (c) => void c.on('error', (e) => ended.push((e as { code?: string }).code ?? '?')));
    const slowly = async (options: { statementTimeoutMs?: number }) => {
      const rows: Record<string, unknown>[] = [];
      for await (const batch of outcomeRowBatches(limited, scope, columns, 1, options)) {
        rows.push(...batch);
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      return rows;
    };
    try {
      expect((await limited.query('show idle_in_transaction_session_timeout')).rows).toEqual([
        { idle_in_transaction_session_timeout: '300ms' },
      ]);
      expect(await slowly({ statementTimeoutMs: 60_000 })).toEqual(whole);
      expect(ended).toEqual([]);
      // Without the export's own limit Postgres ends the session after the first batch (first 25P03,
      // idle_in_transaction_session_timeout, then the socket's close), and the next fetch finds it gone.
      await expect(slowly({})).rejects.toThrow(/not queryable/);
      expect(ended[0]).toBe('25P03');
    } finally {
      await limited.end();
      await client.query(`alter database ${database} reset idle_in_transaction_session_timeout`);
    }
  });
});

describe('migration 0017 (points as differences from a base) over stored points', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('keeps every stored point whole behind the view `points`; the app may add points and bases, not change them', async () => {
    const { client } = scratch;
    expect(journal.entries[17]?.tag).toBe('0017_point_bases');
    // In a transaction each, as the migrator applies them (some take table locks).
    await client.query('begin');
    await applyMigrations(client, 0, 17);
    await client.query('commit');
    await client.query(
      `insert into points (hash, model_id, params) values
         ('p1', 'lf-tid@1', '{"stepDays": 0.25, "dose": 0}'), ('p2', 'lf-tid@2', '{"stepDays": 0.1, "dose": 1.5}')`,
    );
    await client.query('begin');
    await applyMigrations(client, 17, 18);
    await client.query('commit');
    const view = async () =>
      (await client.query('select id, hash, model_id as "modelId", params from points order by id')).rows;
    expect(await view()).toEqual([
      { id: 1, hash: 'p1', modelId: 'lf-tid@1', params: { stepDays: 0.25, dose: 0 } },
      { id: 2, hash: 'p2', modelId: 'lf-tid@2', params: { stepDays: 0.1, dose: 1.5 } },
    ]);
    // As the app: a base, and a point keeping only its differences (dose, a new key), read back whole.
    await client.query('set role frontline_app');
    try {
      const { rows: base } = await client.query(
        `insert into point_bases (hash, params) values ('b1', '{"stepDays": 0.25, "dose": 0, "cycles": 6}') returning id`,
      );
      await client.query(
        `insert into point_rows (hash, model_id, base_id, params) values ('p3', 'lf-tid@2', $1, '{"dose": 2, "hill": 1}')`,
        [base[0].id],
      );
      expect((await view())[2]).toEqual({
        id: 3,
        hash: 'p3',
        modelId: 'lf-tid@2',
        params: { stepDays: 0.25, dose: 2, cycles: 6, hill: 1 },
      });
      for (const change of [
        "update point_rows set params = '{}' where id = 3",
        'delete from point_rows where id = 1',
        "update point_bases set params = '{}'",
        'delete from point_bases',
      ])
        await expect(client.query(change)).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('reset role');
    }
    expect((await view()).map((p) => p.params.dose)).toEqual([0, 1.5, 2]);
  });
});

describe('migration 0018 (one tally row a point) over stored tables', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('moves each point’s survival tables into its row; the view shows them as before, to their tenant only', async () => {
    const { client } = scratch;
    expect(journal.entries[18]?.tag).toBe('0018_one_tally_row_a_point');
    await client.query('begin');
    await applyMigrations(client, 0, 18);
    await client.query('commit');
    // Two tenants' sweeps, two points each; every table's bytes distinct.
    const sweeps = { a: randomUUID(), b: randomUUID() };
    for (const [tenant, sweepId] of Object.entries(sweeps))
      for (const pointId of [1, 2]) {
        await client.query(
          `insert into sweep_point_tallies (tenant_id, sweep_id, point_id, patients, cured, best_response,
             leader_histogram, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
             dose_intensity_sum, recist_best_response)
           values ($1, $2, $3, 3, 1, '{1,1,1,0}', '\\x0201', 0, 0, 0, 0, 0, 0, '{0,0,0,0,0}')`,
          [tenant, sweepId, pointId],
        );
        for (const [k, endpoint] of ['os', 'pfs', 'mfs'].entries())
          await client.query(
            `insert into sweep_survival_tallies (tenant_id, sweep_id, endpoint, point_id, step_days, counts)
             values ($1, $2, $3, $4, $5, $6)`,
            [
              tenant,
              sweepId,
              endpoint,
              pointId,
              0.25 * pointId,
              Buffer.from([pointId, k, tenant.charCodeAt(0)]),
            ],
          );
      }
    const survivalRows = async () =>
      (
        await client.query(
          `select tenant_id as tenant, sweep_id as "sweepId", endpoint, point_id as "pointId", step_days as "stepDays", counts
           from sweep_survival_tallies order by tenant_id, point_id, endpoint`,
        )
      ).rows;
    const before = await survivalRows();
    expect(before).toHaveLength(12);

    await client.query('begin');
    await applyMigrations(client, 18, 19);
    await client.query('commit');
    const { rows: relation } = await client.query(
      "select relkind from pg_class where relname = 'sweep_survival_tallies'",
    );
    expect(relation).toEqual([{ relkind: 'v' }]);
    expect(await survivalRows()).toEqual(before);
    const { rows: pointRows } = await client.query(
      `select point_id as "pointId", patients, step_days as "stepDays", os_counts as os, pfs_counts as pfs, mfs_counts as mfs
       from sweep_point_tallies where tenant_id = 'a' order by point_id`,
    );
    expect(pointRows).toEqual(
      [1, 2].map((p) => ({
        pointId: p,
        patients: 3,
        stepDays: 0.25 * p,
        os: Buffer.from([p, 0, 97]),
        pfs: Buffer.from([p, 1, 97]),
        mfs: Buffer.from([p, 2, 97]),
      })),
    );
    // As the app: the view runs with the reader's row-level security, so a tenant sees its own tables only.
    await client.query('set role frontline_app');
    try {
      for (const tenant of ['a', 'b']) {
        await client.query("select set_config('frontline.tenant', $1, false)", [tenant]);
        expect(await survivalRows()).toEqual(before.filter((r) => r.tenant === tenant));
      }
      await client.query("select set_config('frontline.tenant', '', false)");
      expect(await survivalRows()).toEqual([]);
    } finally {
      await client.query('reset role');
    }
  });
});

describe('migration 0019 (a limit on sessions idle in a transaction)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it("gives every session the app role logs in a 60 s limit, and the owner's none", async () => {
    expect(journal.entries[19]?.tag).toBe('0019_idle_in_transaction_timeout');
    await scratch.client.query('begin');
    await applyMigrations(scratch.client, 0, 20);
    await scratch.client.query('commit');
    const app = new URL(inject('appDatabaseUrl'));
    app.pathname = new URL(scratch.url).pathname;
    const asApp = new pg.Client({ connectionString: app.toString() });
    await asApp.connect();
    try {
      const { rows } = await asApp.query('select session_user as login, current_setting($1) as limit', [
        'idle_in_transaction_session_timeout',
      ]);
      expect(rows).toEqual([{ login: 'frontline_app', limit: '1min' }]);
    } finally {
      await asApp.end();
    }
    // The owner (migrations, admin) is not bound by it.
    const { rows: owner } = await scratch.client.query('show idle_in_transaction_session_timeout');
    expect(owner).toEqual([{ idle_in_transaction_session_timeout: '0' }]);
  });
});

describe('migrations 0020 (sweeps count their chunks’ work) and 0021 (and their workers) over existing sweeps', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('counts each sweep’s done and failed chunks’ work, its last done chunk and its workers’ chunks from the chunks stored', async () => {
    expect(journal.entries[20]?.tag).toBe('0020_sweep_work_counters');
    expect(journal.entries[21]?.tag).toBe('0021_sweep_workers');
    const { client } = scratch;
    await client.query('begin');
    await applyMigrations(client, 0, 20);
    await client.query('commit');
    const sweep = (name: string) =>
      client.query<{ id: string }>(
        `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, cohort_seed,
                             patients, points, total, reused)
         values ('t', $1, 'failed', 'normal', 'lf-tid@2', 'test', '{}', '[]', 1, 2, 10, 20, 0) returning id`,
        [name],
      );
    const ran = (await sweep('ran')).rows[0]!.id;
    const none = (await sweep('no chunks')).rows[0]!.id;
    await client.query(
      `insert into chunks (tenant_id, sweep_id, chunk_index, work_start, work_end, status, finished_at, worker_host) values
         ('t', $1, 0, 0, 7, 'done', timestamptz '2026-12-01 10:00+00', 'a:1'),
         ('t', $1, 1, 7, 14, 'done', timestamptz '2026-12-01 11:00+00', 'b:2'),
         ('t', $1, 2, 14, 18, 'failed', timestamptz '2026-12-01 12:00+00', 'a:1'),
         ('t', $1, 3, 18, 20, 'pending', null, null)`,
      [ran],
    );
    await applyMigrations(client, 20, 22);
    const { rows } = await client.query(
      `select name, work_done as "workDone", work_failed as "workFailed", last_done_at as "lastDoneAt"
       from sweeps where id = any($1::uuid[]) order by name`,
      [[ran, none]],
    );
    expect(rows).toEqual([
      { name: 'no chunks', workDone: 0, workFailed: 0, lastDoneAt: null },
      { name: 'ran', workDone: 14, workFailed: 4, lastDoneAt: new Date('2026-12-01T11:00:00Z') },
    ]);
    const { rows: workers } = await client.query(
      'select sweep_id as "sweepId", worker_host as host, chunks from sweep_workers order by worker_host',
    );
    expect(workers).toEqual([
      { sweepId: ran, host: 'a:1', chunks: 2 },
      { sweepId: ran, host: 'b:2', chunks: 1 },
    ]);
  });
});
