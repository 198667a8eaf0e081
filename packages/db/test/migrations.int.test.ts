import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolder } from '../src/migrate.js';
import {
  packHistogram,
  packStepCounts,
  unpackHistogram,
  unpackStepCounts,
} from '../src/tallies/packed-counts.js';

// What the integration project's global setup (infra/stack/test/global-setup.ts) provides.
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

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
describe('migrations 0008 (survival tables), 0009 (work sequence) then 0010 (packed tables) over existing sweeps', () => {
  const database = `migrate_${randomUUID().replaceAll('-', '')}`;
  let admin: pg.Client;
  let client: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`create database ${database}`);
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${database}`;
    client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await admin?.query(`drop database if exists ${database}`);
    await admin?.end();
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

  it("packs the survival tables and leader histograms (0010) into bytes equal to the write path's", async () => {
    expect(journal.entries[10]?.tag).toBe('0010_packed_tallies');
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

    await applyMigrations(client, 10, 11);

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
