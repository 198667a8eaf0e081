/**
 * Benchmark (issue 13, reuse in `summary` mode): finding donors for a batch of 1,000 points of a new summary
 * sweep (packages/db tallies/reuse.ts, donorQuery) in a database that already holds many sweeps, against the
 * lookup it replaced (the tables asked by point alone). Synthetic sweeps written in SQL: BENCH_SWEEPS of
 * BENCH_POINTS points each (2·10⁶ tally rows by default), cohort seed 1, 2 patients; the batch is either 1,000
 * new points (a new design: nothing to find) or 1,000 stored ones. Server time (EXPLAIN ANALYZE), median of 5.
 * Throwaway Postgres. Run: `pnpm --filter @frontline/api bench:donors` (BENCH_SWEEPS, BENCH_POINTS).
 */
import { cpus } from 'node:os';
import { appRole, donorQuery, migrate } from '@frontline/db';
import { startThrowawayServers } from '@frontline/stack';
import pg from 'pg';

const sweeps = Number(process.env.BENCH_SWEEPS ?? 20_000);
const pointsPerSweep = Number(process.env.BENCH_POINTS ?? 100);
const log = (line: string) => console.log(`[bench] ${line}`);

/** The lookup before: the tables' key starts with the sweep, so Postgres searched it once per stored sweep. */
const byPointAlone = `
  select distinct on (pt.point_id) pt.point_id as "pointId", pt.sweep_id as "sweepId"
  from sweep_point_tallies pt join sweeps s on s.id = pt.sweep_id
  where pt.point_id = any($1::int4[]) and s.cohort_seed = $2 and s.patients = $3 and pt.patients = $3
  order by pt.point_id, s.created_at, s.id`;

const servers = await startThrowawayServers(log);
try {
  await migrate(servers.postgres.url);
  const db = new pg.Client({ connectionString: servers.postgres.url });
  await db.connect();
  await db.query(
    `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, cohort_seed,
                         patients, points, total, reused, outcomes)
     select 'bench', 'stored ' || g, 'completed', 'normal', 'lf-tid@2', 'bench', '{}', '[]', 1, 2, $2, 0, 0, 'summary'
     from generate_series(1, $1) g`,
    [sweeps, pointsPerSweep],
  );
  await db.query(
    `insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
     select 'bench', s.id, k, (row_number() over ())::int, '{}' from sweeps s, generate_series(0, $1 - 1) k`,
    [pointsPerSweep],
  );
  await db.query(
    `insert into sweep_point_tallies (tenant_id, sweep_id, point_id, patients, cured, best_response,
       leader_histogram, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
       dose_intensity_sum, recist_best_response, step_days, os_counts, pfs_counts, mfs_counts)
     select 'bench', sweep_id, point_id, 2, 0, '{}', '', 0, 0, 0, 0, 0, 0, '{}', 0.25, '', '', '' from sweep_points`,
  );
  await db.query('analyze');
  const stored = sweeps * pointsPerSweep;
  log(
    `machine: ${cpus()[0]?.model} × ${cpus().length}; ${sweeps} sweeps × ${pointsPerSweep} points (${stored} tally rows)`,
  );
  const batches = {
    new: Array.from({ length: 1_000 }, (_, i) => stored + 1 + i),
    stored: Array.from({ length: 1_000 }, (_, i) => 1 + ((i * 997) % stored)),
  };
  const serverMs = async (query: string, points: number[], asApp = false) => {
    // As the app role, in a tenant's transaction, row-level security adds its filters to every table.
    if (asApp)
      await db.query(
        `begin; set local role ${appRole}; select set_config('frontline.tenant', 'bench', true)`,
      );
    const { rows } = await db.query(`explain (analyze, format json) ${query}`, [points, 1, 2]);
    if (asApp) await db.query('commit');
    const [result] = rows[0]['QUERY PLAN'];
    // Every stored point has its donor (the stored sweeps are all of seed 1 and 2 patients), a new one none.
    const expected = points[0]! > stored ? 0 : points.length;
    if (result.Plan['Actual Rows'] !== expected)
      throw new Error(
        `${result.Plan['Actual Rows']} donors found for ${points.length} points, expected ${expected}`,
      );
    return Number(result['Execution Time']);
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  log(
    '| batch of 1,000 points | by point alone (before) | through sweep_points (now) | now, as the app role |',
  );
  log('| --- | ---: | ---: | ---: |');
  for (const [label, points] of Object.entries(batches)) {
    const times: Record<string, number[]> = { before: [], now: [], app: [] };
    for (let run = 0; run < 6; run++) {
      const before = await serverMs(byPointAlone, points);
      const now = await serverMs(donorQuery, points);
      const app = await serverMs(donorQuery, points, true);
      // The first of each is a warm-up.
      if (run > 0) {
        times.before!.push(before);
        times.now!.push(now);
        times.app!.push(app);
      }
    }
    const ms = (key: string) => `${median(times[key]!).toFixed(1)} ms`;
    log(`| ${label} | ${ms('before')} | ${ms('now')} | ${ms('app')} |`);
  }
  await db.end();
} finally {
  await servers.stop();
}
