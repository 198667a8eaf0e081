import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolder } from '../src/migrate.js';

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
describe('migrations 0008 (survival tables) then 0009 (work sequence) over existing sweeps', () => {
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
});
