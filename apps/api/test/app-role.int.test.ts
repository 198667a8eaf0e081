import { assertUnprivilegedLogin, connectDatabase } from '@frontline/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

const spec = (seed: number) => ({
  name: `app role ${seed}`,
  design: { kind: 'grid', axes: { dose: [0, 2] } },
  cohort: { patients: 10, seed, chunkSize: 10 },
  params: { horizonDays: 90 },
});

// The API and workers log in as frontline_app itself (no SET ROLE from a superuser login), so no
// statement they could be tricked into running lifts row-level security.
describe('the database login of the API and workers', () => {
  let tenantA: Harness;
  let tenantB: Harness;
  let sweepOfA: string;

  beforeAll(async () => {
    tenantA = await startHarness();
    tenantB = await startHarness();
    sweepOfA = (await tenantA.submit(spec(1101))).id;
    await tenantB.submit(spec(1102));
  });

  afterAll(async () => {
    await tenantA?.stop();
    await tenantB?.stop();
  });

  it('is frontline_app, not a superuser, and RESET ROLE / SET ROLE NONE / SET ROLE <owner> cannot leave it', async () => {
    const client = await tenantA.appPool.connect();
    try {
      const who =
        'select session_user::text as login, current_user::text as role, rolsuper, rolbypassrls from pg_roles where rolname = current_user';
      const expected = {
        login: 'frontline_app',
        role: 'frontline_app',
        rolsuper: false,
        rolbypassrls: false,
      };
      expect((await client.query(who)).rows).toEqual([expected]);
      for (const reset of ['reset role', 'set role none']) {
        await client.query(reset);
        expect((await client.query(who)).rows).toEqual([expected]);
      }
      const owner = new URL(inject('databaseUrl')).username;
      await expect(client.query(`set role ${client.escapeIdentifier(owner)}`)).rejects.toThrow(
        `permission denied to set role "${owner}"`,
      );
      await expect(client.query('set session authorization default')).resolves.toBeDefined();
      expect((await client.query(who)).rows).toEqual([expected]);
    } finally {
      client.release();
    }
  });

  it("a tenant-bound transaction that resets its role still sees only its tenant's sweeps", async () => {
    const client = await tenantA.appPool.connect();
    try {
      // On a superuser login acting through `-c role=`, SET ROLE NONE made the session the superuser.
      for (const reset of ['reset role', 'set role none', 'set session authorization default']) {
        await client.query('begin');
        await client.query("select set_config('frontline.tenant', $1, true)", [tenantA.tenantId]);
        await client.query(reset);
        const { rows } = await client.query('select id, tenant_id from sweeps order by created_at');
        expect({ reset, rows }).toEqual({ reset, rows: [{ id: sweepOfA, tenant_id: tenantA.tenantId }] });
        await client.query('rollback');
      }
      // With no tenant named, tenant-owned tables show nothing at all.
      expect((await client.query('select count(*)::int as n from sweeps')).rows).toEqual([{ n: 0 }]);
    } finally {
      client.release();
    }
    // The owner sees both tenants' sweeps: the rows are there, the app role just cannot reach them.
    const { rows } = await tenantA.pool.query(
      'select count(distinct tenant_id)::int as tenants from sweeps where tenant_id = any($1)',
      [[tenantA.tenantId, tenantB.tenantId]],
    );
    expect(rows).toEqual([{ tenants: 2 }]);
  });

  it('worker processes log in as frontline_app too', async () => {
    const worker = await tenantA.startWorker(1);
    try {
      const { rows } = await tenantA.pool.query(
        "select distinct usename::text as login from pg_stat_activity where application_name = 'frontline-worker' and pid <> pg_backend_pid()",
      );
      expect(rows).toEqual([{ login: 'frontline_app' }]);
      await tenantA.waitForSweep(sweepOfA, (s) => s.status === 'completed');
    } finally {
      await worker.stop();
    }
  });

  it("an app refuses to serve from the owner's (superuser) login", async () => {
    const owner = connectDatabase(inject('databaseUrl'), { max: 1 });
    try {
      await expect(assertUnprivilegedLogin(owner.pool)).rejects.toThrow(
        /is or can become .*\(superuser, BYPASSRLS or table owner\), which row-level security does not bind/,
      );
    } finally {
      await owner.close();
    }
  });
});
