/**
 * Benchmarks 1 and 2 of issue 13 (docs/benchmarks.md, "Survival tables"):
 * 1. Bytes of Postgres per simulation (tables + indexes + TOAST, pg_total_relation_size before/after) of
 *    a `full` sweep (outcome rows + tables) and a `summary` sweep (tables only), at BENCH_SIMULATIONS
 *    (default 10⁷) synthetic outcomes on the 0.25-day grid, tables built from them by the same SQL as reuse.
 * 2. Server time of survival (grouped by one axis, full curves), points and the heatmap (every page of points, as
 *    the dashboard asks) on sweeps
 *    of 10⁶, 10⁷ and 10⁸ simulations whose tables are written directly in SQL (synthetic, dense: every grid
 *    step of every point has counts, the worst case for reads).
 * Run: `pnpm --filter @frontline/api bench:tallies` (part of `pnpm bench`). BENCH_BUILD=1 measures the built
 * API as deployed (`pnpm build` first; run without `--conditions=@frontline/source`, so packages load from dist).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectDatabase, createApiKey, migrate } from '@frontline/db';
import { chunkQueueName, redisConnection } from '@frontline/queue';
import { startThrowawayServers } from '@frontline/stack';
import { Queue } from 'bullmq';
import type pg from 'pg';
import { writeBenchFigures } from './benchmarks-doc.js';

// From source, tsx compiles the statistics threads' modules to CommonJS, where every imported function is
// reached through getters (~10 % of a survival request's thread time); the build has plain ES modules.
const { buildApp }: typeof import('../src/app.js') = await import(
  process.env.BENCH_BUILD === '1' ? '../dist/app.js' : '../src/app.js'
);

const simulations = Number(process.env.BENCH_SIMULATIONS ?? 10_000_000);
const readPoints = Number(process.env.BENCH_READ_POINTS ?? 100);
// `reads`: part 2 only, figures logged (the section, which holds part 1's too, is left as it is).
const readsOnly = process.env.BENCH_PART === 'reads';
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
// Part 2 narrowed, for profiling one request: BENCH_READ_SIZES=1e7 BENCH_ROUTES=survival,pfs (points, heatmap).
const readSizes = (process.env.BENCH_READ_SIZES ?? '1e6,1e7,1e8').split(',').map(Number);
const routes = new Set((process.env.BENCH_ROUTES ?? 'survival,points,pfs,heatmap').split(','));
const log = (line: string) => console.log(`[bench] ${line}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => n.toLocaleString('en-US');
const grid = 0.25;
const gridSteps = 2920; // 730 d / 0.25 d

let sweepCounter = 0;
/** A sweep row with `points` points (10 doses × points/10 immune kills) linked to fresh points. */
async function createSweep(pool: pg.Pool, points: number, patients: number, outcomes: 'full' | 'summary') {
  const id = `00000000-0000-4000-8000-${String(++sweepCounter).padStart(12, '0')}`;
  await pool.query(
    `insert into sweeps (id, name, status, priority, model_id, code_version, spec, axes, reference_arm,
                         cohort_seed, patients, points, total, reused, outcomes, started_at, finished_at)
     values ($1, 'tallies bench', 'completed', 'normal', 'lf-tid@1', 'bench', $2, $3, $4, $5, $6, $7, $8, 0, $9, now(), now())`,
    [
      id,
      JSON.stringify({ params: { horizonDays: 730 } }),
      JSON.stringify(['dose', 'immuneKill']),
      JSON.stringify({ dose: 0 }),
      sweepCounter,
      patients,
      points,
      points * patients,
      outcomes,
    ],
  );
  await pool.query(
    `with p as (
       insert into point_rows (hash, model_id, params)
       select 'bench-' || $1::text || '-' || i, 'lf-tid@1',
              jsonb_build_object('dose', i % 10, 'immuneKill', 0.01 * (i / 10 + 1), 'stepDays', ${grid})
       from generate_series(0, $2 - 1) i returning id, params)
     insert into sweep_points (tenant_id, sweep_id, point_index, point_id, axis_values)
     select 'default', $1::uuid, row_number() over (order by id) - 1, id, params - 'stepDays' from p`,
    [id, points],
  );
  return id;
}

/** Synthetic v1 outcome rows on the grid: log-normal death times censored at 730 d (as bench/survival.ts). */
async function insertOutcomeRows(pool: pg.Pool, sweepId: string, patients: number) {
  await pool.query('select setseed(0.42)');
  await pool.query(
    `insert into outcomes (point_id, cohort_seed, patient_index, os_step, os_event, pfs_step, pfs_event, mfs_step,
       mfs_event, best_response, nadir_cells, nadir_day, leader_fraction_at_diagnosis, leader_fraction_at_nadir,
       leader_fraction_at_end, metastatic_cells_at_diagnosis, seeding_events, cured, min_effector, redraws,
       sampled_growth_rate, sampled_diagnosis_cells, sampled_emt_plasticity, sampled_elimination_rate,
       sampled_max_drug_kill, sampled_immune_kill)
     select point_id, s.cohort_seed, k,
            ceil(least(730, t) / ${grid}), t < 730, ceil(least(730, t * u) / ${grid}), t * u < 730,
            ceil(least(730, t * 0.9) / ${grid}), t * 0.9 < 730,
            (k % 4)::int2, 1e8 * u, 30 * u, u * 0.2, 0.1 * u, 0.2 * u, 1e3 * u, (k % 7), t >= 730 and u < 0.3, 2.5 * u, 0,
            0.025 * u, 6.5e9 * u, u, 0.9 * u, 0.9 * u, 0.035 * u
     from sweeps s, (select sp.point_id, k, u,
                 300 * (1 + 0.3 * (sp.axis_values ->> 'dose')::float8) * exp(0.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) as t
          from sweep_points sp, generate_series(0, $2 - 1) k, lateral (select random() + 0 * k as u) r
          where sp.sweep_id = $1) x
     where s.id = $1`,
    [sweepId, patients],
  );
}

/** The sweep's tables from its rows, by the same SQL that seeds reused patients at submit. */
async function tallyFromRows(pool: pg.Pool, sweepId: string, patients: number) {
  await pool.query(
    `select frontline_tally_stored_outcomes($1, array_agg(point_id), array_agg(0), array_agg($2::int4))
     from sweep_points where sweep_id = $1`,
    [sweepId, patients],
  );
}

/** Synthetic tables written in SQL: every grid step of every endpoint has counts (dense, the read worst case). */
async function syntheticTables(pool: pg.Pool, sweepId: string, patients: number) {
  const perStep = Math.floor((patients * 0.7) / gridSteps);
  await pool.query(
    `insert into sweep_point_tallies (tenant_id, sweep_id, point_id, patients, cured, best_response,
       leader_histogram, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
       dose_intensity_sum, recist_best_response, step_days, os_counts, pfs_counts, mfs_counts)
     select 'default', $1, sp.point_id, $2, $2 / 10, array[$2 / 4, $2 / 4, $2 / 4, $2 - 3 * ($2 / 4)],
            frontline_pack_histogram(array(select b from generate_series(0, 999) b),
                                     array(select $2 / 1000 + (b < $2 % 1000)::int4 from generate_series(0, 999) b)),
            0, 0, 0, 0, 0, 0, array[0, 0, 0, 0, 0], ${grid}, c.counts, c.counts, c.counts
     from sweep_points sp,
          lateral (select frontline_pack_step_counts(
            array(select g from generate_series(1, ${gridSteps}) g),
            array(select $3::int4 + (g + sp.point_id) % 3 from generate_series(1, ${gridSteps}) g),
            array(select case when g = ${gridSteps} then $2::int4 - ${gridSteps} * $3::int4 - ${gridSteps} else (g % 5 = 0)::int4 end
                  from generate_series(1, ${gridSteps}) g)) as counts) c
     where sp.sweep_id = $1`,
    [sweepId, patients, perStep],
  );
}

/**
 * What a sweep's tables are made of, stored (pg_column_size: after TOAST compression), B/simulation: the
 * survival tables' counts (3 endpoints), the leader-fraction histograms, and the rest (row headers, keys,
 * primary-key indexes, sweep_points). "Before" rebuilds the same counts in the int4[] format of migration
 * 0008 (steps, events, censored; leader_bins, leader_counts) in scratch tables with the same keys.
 */
async function storageBreakdown(pool: pg.Pool, sweepId: string, sims: number, tableBytes: number) {
  const { rows: now } = await pool.query<{ survival: string; histogram: string }>(
    `select (select sum(pg_column_size(counts)) from sweep_survival_tallies where sweep_id = $1)::text as survival,
            (select sum(pg_column_size(leader_histogram)) from sweep_point_tallies where sweep_id = $1)::text as histogram`,
    [sweepId],
  );
  await pool.query(`create table bench_int4_survival (sweep_id uuid, endpoint text, point_id int4, step_days float8,
    steps int4[], events int4[], censored int4[], primary key (sweep_id, endpoint, point_id))`);
  await pool.query(`create table bench_int4_histogram (sweep_id uuid, point_id int4, leader_bins int4[],
    leader_counts int4[], primary key (sweep_id, point_id))`);
  const outcomesOf = `select o.* from sweep_points sp join sweeps s on s.id = sp.sweep_id
    join outcomes o on o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed where sp.sweep_id = $1`;
  await pool.query(
    `insert into bench_int4_survival
     select $1, endpoint, point_id, ${grid}, array_agg(step order by step), array_agg(ev order by step), array_agg(ce order by step)
     from (select point_id, endpoint, step,
                  (count(*) filter (where event))::int4 as ev, (count(*) filter (where not event))::int4 as ce
           from (select point_id, 'os' as endpoint, os_step as step, os_event as event from (${outcomesOf}) o
                 union all select point_id, 'pfs', pfs_step, pfs_event from (${outcomesOf}) o
                 union all select point_id, 'mfs', mfs_step, mfs_event from (${outcomesOf}) o) e
           group by 1, 2, 3) g
     group by endpoint, point_id`,
    [sweepId],
  );
  await pool.query(
    `insert into bench_int4_histogram
     select $1, point_id, array_agg(bin order by bin), array_agg(n order by bin)
     from (select point_id, least(999, greatest(0, floor(leader_fraction_at_diagnosis::float8 * 1000)))::int4 as bin, count(*)::int4 as n
           from (${outcomesOf}) o group by 1, 2) b
     group by point_id`,
    [sweepId],
  );
  await pool.query('vacuum analyze bench_int4_survival, bench_int4_histogram');
  const { rows: before } = await pool.query<{ survival: string; histogram: string; total: string }>(
    `select (select sum(pg_column_size(steps) + pg_column_size(events) + pg_column_size(censored)) from bench_int4_survival)::text as survival,
            (select sum(pg_column_size(leader_bins) + pg_column_size(leader_counts)) from bench_int4_histogram)::text as histogram,
            (pg_total_relation_size('bench_int4_survival') + pg_total_relation_size('bench_int4_histogram'))::text as total`,
  );
  await pool.query('drop table bench_int4_survival, bench_int4_histogram');
  const perSim = (bytes: number) => (bytes / sims).toFixed(2);
  const survivalNow = Number(now[0]!.survival);
  const histogramNow = Number(now[0]!.histogram);
  const survivalBefore = Number(before[0]!.survival);
  const histogramBefore = Number(before[0]!.histogram);
  return {
    before: `survival counts ${perSim(survivalBefore)}, leader histograms ${perSim(histogramBefore)}, survival + histogram tables in all ${perSim(Number(before[0]!.total))}`,
    after: `survival counts ${perSim(survivalNow)}, leader histograms ${perSim(histogramNow)}, rest (row headers, keys, indexes, the point rows' other columns, sweep_points) ${perSim(tableBytes - survivalNow - histogramNow)}`,
  };
}

const sizedTables = ['outcomes', 'sweep_point_tallies', 'sweep_points'] as const;
async function sizes(pool: pg.Pool): Promise<Record<(typeof sizedTables)[number], number>> {
  await pool.query(`vacuum analyze ${sizedTables.join(', ')}`);
  const { rows } = await pool.query<{ name: string; bytes: string }>(
    `select t as name, pg_total_relation_size(t::regclass)::text as bytes from unnest($1::text[]) t`,
    [sizedTables],
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)])) as Record<
    (typeof sizedTables)[number],
    number
  >;
}

const servers = await startThrowawayServers(log);
try {
  const databaseUrl = servers.postgres.url;
  await migrate(databaseUrl);
  const database = connectDatabase(databaseUrl);
  const { pool } = database;

  // 1. Bytes per simulation: 100 points × simulations/100 patients (few large points) and, at 10⁶,
  //    1,000 points × 1,000 patients (many small points: sparser tables, more of them per simulation).
  const storage: string[] = [];
  const breakdowns: string[] = [];
  for (const [points, patients] of readsOnly
    ? []
    : ([
        [100, simulations / 100],
        [1_000, 1_000],
      ] as const)) {
    const sims = points * patients;
    const before = await sizes(pool);
    const started = performance.now();
    const id = await createSweep(pool, points, patients, 'full');
    await insertOutcomeRows(pool, id, patients);
    const rowsSeconds = (performance.now() - started) / 1000;
    const afterRows = await sizes(pool);
    const tallyStart = performance.now();
    await tallyFromRows(pool, id, patients);
    const tallySeconds = (performance.now() - tallyStart) / 1000;
    const after = await sizes(pool);
    const rowBytes = afterRows.outcomes - before.outcomes;
    const tableBytes =
      after.sweep_point_tallies - before.sweep_point_tallies + after.sweep_points - before.sweep_points;
    const line = `| ${fmt(points)} points × ${fmt(patients)} patients = ${fmt(sims)} | ${(rowBytes / sims).toFixed(1)} | ${(tableBytes / sims).toFixed(2)} | **${((rowBytes + tableBytes) / sims).toFixed(1)}** | **${(tableBytes / sims).toFixed(2)}** |`;
    log(`${line} (rows ${rowsSeconds.toFixed(0)} s, tables from rows ${tallySeconds.toFixed(0)} s)`);
    storage.push(line);
    const parts = await storageBreakdown(pool, id, sims, tableBytes);
    const breakdown = `${fmt(points)} × ${fmt(patients)}: int4[] arrays (before) ${parts.before}; packed (now) ${parts.after} B/sim`;
    log(breakdown);
    breakdowns.push(`- ${breakdown}`);
  }

  // 2. Read cost at 10⁶, 10⁷, 10⁸ simulations: readPoints points, dense synthetic tables.
  const redis = redisConnection(servers.redis.url, 'producer');
  const queue = new Queue(chunkQueueName, { connection: redis, prefix: 'bench' });
  const appDatabase = connectDatabase(databaseUrl, { appRole: true });
  const { token } = await createApiKey(pool, { tenantId: 'default', role: 'read', name: 'bench' });
  const appOptions = { pool: appDatabase.pool, queue, redis, logger: false, rateLimitPerMinute: 1_000_000 };
  /** An API on its own port; `get` fetches a path from it, as the dashboard would. */
  const serve = async (build: typeof buildApp) => {
    const app = await build(appOptions);
    // Server time: from the request's arrival to its answer's last byte handed to the socket (Fastify's
    // elapsedTime at onResponse), without the in-process client's reading and parsing of the body.
    let served = 0;
    app.addHook('onResponse', async (_request, reply) => {
      served += reply.elapsedTime;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const get = async (path: string) => {
      const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${path} → ${response.status} ${body.slice(0, 300)}`);
      return body;
    };
    return { app, get, served: () => served };
  };
  // BENCH_AGAINST=<dir>: another build of this app (its app.js; e.g. an older commit's `dist` copied into
  // apps/api/dist/before, where its imports resolve), served beside this one, its requests alternated with
  // this one's: a before/after in one run, the machine's drift shared by both.
  const apis = [await serve(buildApp)];
  if (process.env.BENCH_AGAINST)
    apis.push(
      await serve(
        (
          (await import(
            pathToFileURL(join(process.env.BENCH_AGAINST, 'app.js')).href
          )) as typeof import('../src/app.js')
        ).buildApp,
      ),
    );
  type Get = (path: string) => Promise<string>;
  /** The heatmap's requests, as the dashboard makes them (apps/web api.pointsPage): every page of points. */
  const heatmapPages = async (get: Get, sweepId: string) => {
    let offset: number | null = 0;
    while (offset !== null) {
      const page = JSON.parse(await get(`/v1/sweeps/${sweepId}/points?offset=${offset}`)) as {
        nextOffset: number | null;
      };
      offset = page.nextOffset;
    }
  };
  // Wall time (median and least: the machine is shared, the least is the nearest to an idle one), the CPU
  // time of this process per request (event loop + statistics threads + the in-process client) and the
  // event loop's busy time per request (server and client, apart from the statistics threads).
  const time = async (route: string, label: string, path: string | ((get: Get) => Promise<unknown>)) => {
    if (!routes.has(route)) return '–';
    const requests = apis.map(({ get }) => (typeof path === 'string' ? () => get(path) : () => path(get)));
    // Three warm-ups: every statistics thread has run (and compiled) the request's code at least once.
    for (const request of requests) for (let i = 0; i < 3; i++) await request();
    const samples = requests.map(() => ({ wall: [] as number[], server: [] as number[], cpu: 0, loop: 0 }));
    for (let i = 0; i < repeats; i++) {
      // Alternated, and in turn first: neither build always runs right after the other.
      for (let k = 0; k < requests.length; k++) {
        const which = (i + k) % requests.length;
        const cpuStart = process.cpuUsage();
        const loopStart = performance.eventLoopUtilization();
        const servedBefore = apis[which]!.served();
        const start = performance.now();
        await requests[which]!();
        samples[which]!.wall.push(performance.now() - start);
        samples[which]!.server.push(apis[which]!.served() - servedBefore);
        const cpu = process.cpuUsage(cpuStart);
        samples[which]!.cpu += (cpu.user + cpu.system) / 1000 / repeats;
        samples[which]!.loop += performance.eventLoopUtilization(loopStart).active / repeats;
      }
    }
    const figures = samples.map(
      ({ wall, server, cpu, loop }) =>
        `median ${median(wall).toFixed(0)} ms, least ${Math.min(...wall).toFixed(0)} ms, server median ${median(server).toFixed(0)} ms, API CPU ${cpu.toFixed(0)} ms, event loop ${loop.toFixed(0)} ms (${wall.map((s) => s.toFixed(0)).join(', ')})`,
    );
    log(`${label}: ${figures[0]}`);
    if (figures.length > 1) {
      const ratios = samples[0]!.wall.map((w, i) => w / samples[1]!.wall[i]!);
      log(
        `  against ${process.env.BENCH_AGAINST}: ${figures[1]}; this / against, median of pairs ${median(ratios).toFixed(3)}`,
      );
    }
    const { wall, server, cpu } = samples[0]!;
    return `${median(wall).toFixed(0)} ms (least ${Math.min(...wall).toFixed(0)}, server ${median(server).toFixed(0)}, CPU ${cpu.toFixed(0)})`;
  };
  const reads: string[] = [];
  for (const sims of readSizes) {
    const patients = sims / readPoints;
    const id = await createSweep(pool, readPoints, patients, 'summary');
    await syntheticTables(pool, id, patients);
    await pool.query('vacuum analyze sweep_point_tallies');
    const survival = await time(
      'survival',
      `${fmt(sims)} survival groupBy=dose`,
      `/v1/sweeps/${id}/survival?groupBy=dose`,
    );
    const pointsMs = await time('points', `${fmt(sims)} points`, `/v1/sweeps/${id}/points`);
    const pfs = await time(
      'pfs',
      `${fmt(sims)} survival pfs groupBy=immuneKill`,
      `/v1/sweeps/${id}/survival?groupBy=immuneKill&endpoint=pfs`,
    );
    const heatmap = await time('heatmap', `${fmt(sims)} heatmap (every page of points)`, (get) =>
      heatmapPages(get, id),
    );
    reads.push(
      `| ${fmt(sims)} (${readPoints} points × ${fmt(patients)}) | ${survival} | ${pfs} | ${pointsMs} | ${heatmap} |`,
    );
  }

  const { rows: version } = await pool.query<{ v: string }>('select version() as v');
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${version[0]!.v.split(' ').slice(0, 2).join(' ')} (embedded, fsync off), load average at start ${loadavg()[0]!.toFixed(1)} (machine shared with other jobs)`;
  if (readsOnly) log(`reads only, not written: ${machine}`);
  else
    writeBenchFigures(
      '## Survival tables: storage and read cost (issue 13)',
      'bench:tallies',
      `**Latest run of the bench** (the dated runs and what was tried, below, are kept by hand).

**1. Bytes of Postgres per simulation** (tables + indexes + TOAST, \`pg_total_relation_size\` after \`vacuum\`,
before → after). \`full\` = outcome rows (primary key only; the four \`outcomes_*_idx\` indexes are dropped) plus
the sweep's tables; \`summary\` = the tables (survival tables of 3 endpoints, point summaries, sweep_points) only.
Goals: \`full\` ≤ 200 B, \`summary\` ≤ 8 B at 10⁷. Before issue 13 a simulation cost ~430 B (rows + 4 indexes).

| sweep | rows B/sim | tables B/sim | **full** B/sim | **summary** B/sim |
|---|---|---|---|---|
${storage.join('\n')}

The tables' size is per point (≤ 2,920 steps × 3 endpoints + a 1,000-bin histogram), so per simulation it
falls with the cohort size: a design of many small points (1,000 patients) pays more per simulation.
What the tables are made of (stored sizes, B/simulation; the same counts in migration 0008's int4[] arrays
rebuilt in scratch tables for comparison):

${breakdowns.join('\n')}

**2. Server time** (in-process \`fetch\` of the whole body, median of ${repeats} after three warm-ups; "server" is the
median of the server's own time, from the request's arrival to its answer's last byte, without the client's) on sweeps whose tables
are dense synthetic rows written in SQL (every one of the 2,920 steps of every point and endpoint has counts —
the most a table can hold, whatever the cohort size):

| simulations | survival os, groupBy=dose (10 groups, full curves) | survival pfs, groupBy=immuneKill | points (${readPoints} rows = the heatmap's data) | heatmap (every page of points, parsed, as the dashboard asks) |
|---|---|---|---|---|
${reads.join('\n')}

The cost depends on points × grid steps, not on patients: flat from 10⁶ to 10⁸. (The heatmap is drawn in the
browser from \`points\`: its server time is that of the pages of points the dashboard asks for.)

Method: \`pnpm --filter @frontline/api bench:tallies\` (apps/api/bench/tallies.ts): a throwaway Postgres + Redis,
part 1 inserts synthetic lf-tid@1 rows on the 0.25-day grid with \`generate_series\` and builds the tables from
them with \`frontline_tally_stored_outcomes\` (the SQL that seeds reused patients; ingest writes the same
arrays); part 2 writes the tables directly. Machine: ${machine}.
`,
      log,
    );

  for (const { app } of apis) await app.close();
  await queue.close();
  redis.disconnect();
  await appDatabase.close();
  await database.close();
} finally {
  await servers.stop();
}
