/**
 * Benchmark (issue 13, monitoring 10⁸-simulation sweeps): a sweep's status and the sweep list, whose progress
 * every `frontline watch` and dashboard poll reads. Synthetic finished sweeps written in SQL into a throwaway
 * Postgres: BENCH_SWEEPS of BENCH_CHUNKS done chunks each (50,000: 10⁸ simulations in chunks of 2,000).
 * getSweep and listSweeps(20) as the API calls them (progress from the sweep's row, schema.ts work_done),
 * against the progress summed over each sweep's chunks, as before; and the workers the status route adds, from
 * sweep_workers, against grouping the sweep's chunks by host. Wall time from this process, median of 5.
 * Run: `pnpm --filter @frontline/api bench:progress`.
 */
import { cpus } from 'node:os';
import { connectDatabase, getSweep, listSweeps, migrate, sweepWorkerHosts } from '@frontline/db';
import { startThrowawayServers } from '@frontline/stack';

const sweeps = Number(process.env.BENCH_SWEEPS ?? 20);
const chunksPerSweep = Number(process.env.BENCH_CHUNKS ?? 50_000);
const log = (line: string) => console.log(`[bench] ${line}`);

/** The progress columns as they were read before: sums over the sweep's chunks, per request. */
const summedOverChunks = `
  select s.*,
    coalesce((select sum(c.work_end - c.work_start) from chunks c where c.sweep_id = s.id and c.status = 'done'), 0) as done,
    coalesce((select sum(c.work_end - c.work_start) from chunks c where c.sweep_id = s.id and c.status = 'failed'), 0) as failed,
    (select max(c.finished_at) from chunks c where c.sweep_id = s.id and c.status = 'done') as last_done
  from sweeps s`;

const servers = await startThrowawayServers(log);
try {
  await migrate(servers.postgres.url);
  const { pool } = connectDatabase(servers.postgres.url);
  await pool.query(
    `insert into sweeps (tenant_id, name, status, priority, model_id, code_version, spec, axes, cohort_seed,
                         patients, points, total, reused, outcomes, work_done, last_done_at, started_at, finished_at)
     select 'bench', 'sweep ' || g, 'completed', 'normal', 'lf-tid@2', 'bench', '{}', '[]', 1, 2, 1000,
            $2 * 2000::bigint, 0, 'summary', $2 * 2000::bigint, now(), now() - interval '1 hour', now()
     from generate_series(1, $1) g`,
    [sweeps, chunksPerSweep],
  );
  await pool.query(
    `insert into chunks (tenant_id, sweep_id, chunk_index, work_start, work_end, status, finished_at, worker_host)
     select 'bench', s.id, k, k * 2000::bigint, (k + 1) * 2000::bigint, 'done', now(), 'host-' || (k % 8) || ':1'
     from sweeps s, generate_series(0, $1 - 1) k`,
    [chunksPerSweep],
  );
  await pool.query(
    `insert into sweep_workers (tenant_id, sweep_id, worker_host, chunks)
     select tenant_id, sweep_id, worker_host, count(*)::int from chunks group by tenant_id, sweep_id, worker_host`,
  );
  await pool.query('vacuum analyze');
  log(`machine: ${cpus()[0]?.model} × ${cpus().length}; ${sweeps} sweeps of ${chunksPerSweep} done chunks`);
  const { rows } = await pool.query<{ id: string }>('select id from sweeps limit 1');
  const id = rows[0]!.id;
  const median = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = performance.now();
      await run();
      if (i > 0) times.push(performance.now() - start); // the first is a warm-up
    }
    return `${times.sort((a, b) => a - b)[2]!.toFixed(1)} ms`;
  };
  const sweep = await getSweep(pool, id);
  if (sweep?.progress.done !== chunksPerSweep * 2000) throw new Error(`progress ${sweep?.progress.done}`);
  log("| request | over the sweep's chunks (before) | from the counts (now) |");
  log('| --- | ---: | ---: |');
  log(
    `| a sweep's status | ${await median(() => pool.query(`${summedOverChunks} where s.id = $1`, [id]))} | ${await median(() => getSweep(pool, id))} |`,
  );
  log(
    `| the list, 20 sweeps | ${await median(() => pool.query(`${summedOverChunks} order by s.created_at desc, s.id desc limit 21`))} | ${await median(() => listSweeps(pool, { limit: 20 }))} |`,
  );
  const workers = await sweepWorkerHosts(pool, id);
  if (workers.length !== 8 || workers.reduce((n, w) => n + w.chunks, 0) !== chunksPerSweep)
    throw new Error(`workers ${JSON.stringify(workers)}`);
  const groupedOverChunks = `select worker_host as host, count(*)::int as chunks from chunks
     where sweep_id = $1 and worker_host is not null group by worker_host order by worker_host`;
  log(
    `| a sweep's workers (8 hosts; the status adds them) | ${await median(() => pool.query(groupedOverChunks, [id]))} | ${await median(() => sweepWorkerHosts(pool, id))} |`,
  );
  await pool.end();
} finally {
  await servers.stop();
}
