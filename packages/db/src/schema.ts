import {
  type ApiKeyRole,
  apiKeyRoles,
  type BestResponse,
  bestResponses,
  type ChunkStatus,
  chunkStatuses,
  type OutcomeRetention,
  outcomeRetentions,
  type Priority,
  priorities,
  type SweepState,
  survivalEndpoints,
  sweepStates,
} from '@frontline/contracts';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgPolicy,
  pgRole,
  pgTable,
  pgView,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Raw bytes (drizzle-orm has no bytea column of its own). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

// The vocabularies are @frontline/contracts'; re-exported so callers of the data layer need one import.
export {
  type ApiKeyRole,
  apiKeyRoles,
  type BestResponse,
  bestResponses,
  type ChunkStatus,
  type OutcomeRetention,
  type Priority,
  type SweepState,
};

/**
 * The role the API and workers act as: not the tables' owner, so row-level security binds it.
 * Created, granted and given its policies by the custom migrations 0003 and 0004 (which also FORCE
 * row-level security on the tenant tables, something drizzle cannot declare); declared here so the
 * schema says who may see which rows.
 */
export const appDatabaseRole = pgRole('frontline_app').existing();

/**
 * A tenant-owned table shows and accepts only the rows of the tenant named on the connection
 * (`forTenant` sets frontline.tenant per checkout); with no tenant named, nothing.
 */
const tenantIsolation = () =>
  pgPolicy('tenant_isolation', {
    as: 'permissive',
    for: 'all',
    to: 'public',
    using: sql`tenant_id = current_setting('frontline.tenant', true)`,
    withCheck: sql`tenant_id = current_setting('frontline.tenant', true)`,
  });

/** A submitted sweep with its provenance. The resolved spec is kept verbatim. */
export const sweeps = pgTable(
  'sweeps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id').notNull().default('default'),
    name: text('name').notNull(),
    status: text('status', { enum: sweepStates }).notNull(),
    priority: text('priority', { enum: priorities }).notNull(),
    modelId: text('model_id').notNull(),
    codeVersion: text('code_version').notNull(),
    spec: jsonb('spec').notNull(),
    axes: jsonb('axes').$type<string[]>().notNull(),
    referenceArm: jsonb('reference_arm').$type<Record<string, number> | null>(),
    cohortSeed: bigint('cohort_seed', { mode: 'number' }).notNull(),
    patients: integer('patients').notNull(),
    points: integer('points').notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    reused: bigint('reused', { mode: 'number' }).notNull(),
    /** What the sweep keeps of its outcomes (docs/spec.md `outcomes`). */
    outcomes: text('outcomes', { enum: outcomeRetentions }).notNull().default('full'),
    /** Simulations per chunk: chunk k runs positions [k·chunkSize, (k+1)·chunkSize) of the work sequence. */
    chunkSize: integer('chunk_size').notNull().default(2000),
    /** Chunks the plan has: ⌈(total − reused) / chunkSize⌉. */
    chunksPlanned: integer('chunks_planned').notNull().default(0),
    /** Chunks given a row (and a job) so far: the enqueue window materialises them in order. */
    chunksCreated: integer('chunks_created').notNull().default(0),
    /** Chunks given rows and jobs at once (the enqueue window); an adaptive round starts by filling it. */
    chunkWindow: integer('chunk_window').notNull().default(1000),
    /**
     * An adaptive cohort's current round (0 = the `initial` patients); null for a fixed cohort. Raised
     * only by the transaction that completes a round's last chunk (docs/adaptive-cohorts.md).
     */
    cohortRound: integer('cohort_round'),
    /** Points of an adaptive cohort still running (not yet precise, below max); null for a fixed cohort. */
    pointsRunning: integer('points_running'),
    /**
     * Length of the work sequence when it is not total − reused: an adaptive round's work starts at the
     * next chunk boundary, so chunk positions stay [k·chunkSize, (k+1)·chunkSize).
     */
    workLength: bigint('work_length', { mode: 'number' }),
    /**
     * Points of the design written so far while a large sweep's points are still being placed after its
     * reply (work_length is then the work placed, and only whole chunks of it are planned); null once
     * every point is placed (docs/spec.md, "Large designs").
     */
    pointsPlaced: integer('points_placed'),
    /**
     * Simulations of the sweep's done chunks (their work lengths summed), and of its failed ones, and when a
     * chunk was last done: counted by the transaction that moves a chunk from pending (completeChunk,
     * failChunk), so exactly once, and read by the progress of every status and list request without
     * summing the sweep's chunks (50,000 rows for 10⁸ simulations in chunks of 2,000).
     */
    workDone: bigint('work_done', { mode: 'number' }).notNull().default(0),
    workFailed: bigint('work_failed', { mode: 'number' }).notNull().default(0),
    lastDoneAt: timestamp('last_done_at', { withTimezone: true }),
    failureReason: text('failure_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('sweeps_created_idx').on(t.createdAt, t.id),
    index('sweeps_status_idx').on(t.status),
    tenantIsolation(),
  ],
);

/**
 * Parameters that many points share (a sweep's fixed parameters, defaults included), stored once: a
 * point names its base and keeps only what differs from it (point_rows). Content-addressed by the
 * hash of the parameters' JSON; never deleted, like points.
 */
export const pointBases = pgTable('point_bases', {
  id: serial('id').primaryKey(),
  hash: text('hash').notNull().unique(),
  params: jsonb('params').notNull(),
});

/**
 * A parameter point as stored, content-addressed by (model id, resolved parameters) and shared by every
 * sweep that uses it. With a base (point_bases.id, no foreign key: bases are never deleted), `params`
 * holds only the entries that differ from the base's; without one, all of them. A sampled design's
 * point then costs ~0.1 kB instead of ~1.3 kB (lf-tid@2 has 57 parameters), to write and to read back.
 * Readers use the view `points` (the whole parameters); only storePoints and loadSegments read rows.
 */
export const pointRows = pgTable('point_rows', {
  id: serial('id').primaryKey(),
  hash: text('hash').notNull().unique(),
  modelId: text('model_id').notNull(),
  baseId: integer('base_id'),
  params: jsonb('params').notNull(),
});

/** Every point with its whole parameters (`base || differences`): migration 0017 defines it. */
export const points = pgView('points', {
  id: integer('id').notNull(),
  hash: text('hash').notNull(),
  modelId: text('model_id').notNull(),
  params: jsonb('params').notNull(),
}).existing();

/** The points of one sweep, in design order, with the sweep's axis values. */
export const sweepPoints = pgTable(
  'sweep_points',
  {
    tenantId: text('tenant_id').notNull(),
    /**
     * A sweeps.id, without a foreign key (nor do the sweep's tables have one): its per-row check took
     * half the cost of writing a point, as the sweep's tables' did of adding a chunk's counts. Every
     * writer holds the sweep's row instead: createSweep inserts it in the same transaction, placement
     * holds it `for no key update`, a chunk's counts take it `for key share` (record-tallies.ts); and
     * deleteSweep, which takes it `for update`, deletes these rows itself.
     */
    sweepId: uuid('sweep_id').notNull(),
    pointIndex: integer('point_index').notNull(),
    /**
     * A points.id, without a foreign key: createSweep takes the ids from the points it has just stored or
     * found in the same transaction, and points are never deleted (the app role may only select and
     * insert them), so the key's per-row check (half the cost of writing a sweep's points) guards nothing.
     */
    pointId: integer('point_id').notNull(),
    axisValues: jsonb('axis_values').$type<Record<string, number>>().notNull(),
    /**
     * Where this point's missing patients start in the sweep's work sequence (its points' missing
     * patients, in point order); null when it simulates nothing (all reused, or a repeated point).
     */
    workStart: bigint('work_start', { mode: 'number' }),
    /** Patients this point simulates: the sum of its missing ranges. */
    workPatients: integer('work_patients').notNull().default(0),
    /** Its missing patient ranges, flattened [start₀, end₀, start₁, end₁, …]. */
    missingRanges: integer('missing_ranges').array(),
    /** Adaptive cohort: patients planned at this point so far (patients 0 … n−1); null for a fixed cohort. */
    cohortPatients: integer('cohort_patients'),
    /** Adaptive cohort: rounds this point has run (counting the one in progress). */
    cohortRounds: integer('cohort_rounds'),
    /** Adaptive cohort: the metric's 95% CI half-width after its last completed round (null: not estimable). */
    halfWidth: doublePrecision('half_width'),
    /** Adaptive cohort: why the point stopped ('precise' | 'max'); null while it runs. */
    cohortStop: text('cohort_stop'),
  },
  (t) => [
    primaryKey({ columns: [t.sweepId, t.pointIndex] }),
    index('sweep_points_point_idx').on(t.pointId),
    index('sweep_points_work_idx').on(t.sweepId, t.workStart).where(sql`${t.workStart} is not null`),
    tenantIsolation(),
  ],
);

/**
 * A unit of work: positions [workStart, workEnd) of its sweep's work sequence, which may span
 * several points (sweep_points.work_start says where each point's patients lie).
 */
export const chunks = pgTable(
  'chunks',
  {
    tenantId: text('tenant_id').notNull(),
    sweepId: uuid('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    chunkIndex: integer('chunk_index').notNull(),
    workStart: bigint('work_start', { mode: 'number' }).notNull(),
    workEnd: bigint('work_end', { mode: 'number' }).notNull(),
    status: text('status', { enum: chunkStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    workerHost: text('worker_host'),
    error: text('error'),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.sweepId, t.chunkIndex] }),
    index('chunks_pending_idx').on(t.sweepId).where(sql`${t.status} = 'pending'`),
    tenantIsolation(),
  ],
);

/**
 * Which workers ran a sweep's chunks: per (sweep, worker host), the chunks it completed or failed, counted
 * by the transaction that moves a chunk from pending (as sweeps.work_done), so a status request reads a row
 * per host instead of grouping the sweep's chunks. A sweeps.id without a foreign key, as its other rows;
 * deleteSweep deletes these.
 */
export const sweepWorkers = pgTable(
  'sweep_workers',
  {
    tenantId: text('tenant_id').notNull(),
    sweepId: uuid('sweep_id').notNull(),
    workerHost: text('worker_host').notNull(),
    chunks: integer('chunks').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sweepId, t.workerHost] }), tenantIsolation()],
);

/**
 * One virtual patient's outcome (MODEL.md §7; lf-tid@2 adds the nullable columns of docs/model-v2.md §6),
 * stored exactly once per (point, cohort seed, patient).
 * best_response: its position in `bestResponses` (0 CR … 3 PD; a smallint keeps 10⁷-row tables compact).
 * Every model field has its column here, named as in the model (sampled.x → sampledX): the writer and
 * the exports derive their column lists from this table (outcome-columns.ts checks it at compile time),
 * in the order declared here, the model's. On disk the columns lie widest first (8-byte, 4, 2, 1: no
 * alignment padding between them, migration 0010), an order that only the migration knows: every
 * statement names its columns.
 * Recorded precision (docs/results.md, "Recorded precision", migration 0013): survival times are stored as
 * step numbers of the point's `stepDays` grid (`os_step` etc.; the field keeps the model's name, and reads
 * multiply by stepDays), and model outputs that are not inputs in single precision (`real`); sampled
 * parameters and everything else as the model gave it.
 */
export const outcomes = pgTable(
  'outcomes',
  {
    pointId: integer('point_id').notNull(),
    cohortSeed: bigint('cohort_seed', { mode: 'number' }).notNull(),
    patientIndex: integer('patient_index').notNull(),
    osDays: integer('os_step').notNull(),
    osEvent: boolean('os_event').notNull(),
    pfsDays: integer('pfs_step').notNull(),
    pfsEvent: boolean('pfs_event').notNull(),
    mfsDays: integer('mfs_step').notNull(),
    mfsEvent: boolean('mfs_event').notNull(),
    bestResponse: smallint('best_response').notNull(),
    nadirCells: real('nadir_cells').notNull(),
    nadirDay: doublePrecision('nadir_day').notNull(),
    leaderFractionAtDiagnosis: real('leader_fraction_at_diagnosis').notNull(),
    leaderFractionAtNadir: real('leader_fraction_at_nadir').notNull(),
    leaderFractionAtEnd: real('leader_fraction_at_end').notNull(),
    metastaticCellsAtDiagnosis: real('metastatic_cells_at_diagnosis').notNull(),
    seedingEvents: integer('seeding_events').notNull(),
    cured: boolean('cured').notNull(),
    minEffector: real('min_effector').notNull(),
    redraws: integer('redraws').notNull(),
    sampledGrowthRate: doublePrecision('sampled_growth_rate').notNull(),
    sampledDiagnosisCells: doublePrecision('sampled_diagnosis_cells').notNull(),
    sampledEmtPlasticity: doublePrecision('sampled_emt_plasticity').notNull(),
    sampledEliminationRate: doublePrecision('sampled_elimination_rate').notNull(),
    sampledMaxDrugKill: doublePrecision('sampled_max_drug_kill').notNull(),
    sampledImmuneKill: doublePrecision('sampled_immune_kill').notNull(),
    // lf-tid@2's outputs (docs/model-v2.md §6): null in lf-tid@1 rows.
    relativeDoseIntensity: doublePrecision('relative_dose_intensity'),
    deliveredDose: doublePrecision('delivered_dose'),
    cyclesReceived: integer('cycles_received'),
    doseDelays: integer('dose_delays'),
    doseReductions: integer('dose_reductions'),
    worstNeutropeniaGrade: integer('worst_neutropenia_grade'),
    neutrophilNadir: real('neutrophil_nadir'),
    neutrophilNadirDay: doublePrecision('neutrophil_nadir_day'),
    toxicDeath: boolean('toxic_death'),
    /** Position in `recistResponses` (0 CR … 3 PD, 4 NE). */
    recistBestResponse: smallint('recist_best_response'),
    objectiveResponse: boolean('objective_response'),
    scanPfsDays: integer('scan_pfs_step'),
    scanPfsEvent: boolean('scan_pfs_event'),
    scans: integer('scans'),
    sampledBaselineNeutrophils: doublePrecision('sampled_baseline_neutrophils'),
    sampledMeanTransitTime: doublePrecision('sampled_mean_transit_time'),
    sampledMyelotoxicity: doublePrecision('sampled_myelotoxicity'),
  },
  (t) => [
    // No other index: survival curves, points and heatmaps read the per-sweep tables (sweep_point_tallies),
    // so the four (point, seed, time, event) indexes that served them are gone.
    // The 8-byte seed last: an index entry of 24 B instead of 32 B (4 B of padding after point_id). Reads
    // name a point and a patient range and filter the seed; a point rarely has more than one seed.
    primaryKey({ columns: [t.pointId, t.patientIndex, t.cohortSeed] }),
  ],
);

/**
 * A sweep's tables for one point (docs/results.md, "Survival tables"), kept at ingest, once per chunk:
 * curves, log-rank, `points` and heatmaps read these, never the outcome rows. One row a point holds all
 * of it (migration 0018): a survival table per endpoint and the summary of everything else `points` and
 * the heatmaps show. Four rows a point (one per endpoint, one summary) cost 3.3× as much to insert and
 * 2.6× the bytes. The view `sweep_survival_tallies` shows the survival tables a row per endpoint.
 *
 * A survival table: events and censorings per step of the point's time grid, sparse (steps with neither
 * left out), steps ascending, packed (tallies/packed-counts.ts: ~1 byte a step of one patient). Grid
 * indexes may reach 2·10⁶ steps (MAX_STEPS_PER_PHASE); varints hold any of them. Summary counts are
 * exact; the median leader fraction at diagnosis comes from a sparse histogram of fixed bins on [0, 1]
 * (tallies/chunk-tally.ts; error at most one bin width). Response counts are indexed by the
 * vocabularies' stored codes.
 */
export const sweepPointTallies = pgTable(
  'sweep_point_tallies',
  {
    tenantId: text('tenant_id').notNull(),
    /** A sweeps.id, without a foreign key (see sweep_points.sweep_id). */
    sweepId: uuid('sweep_id').notNull(),
    pointId: integer('point_id').notNull(),
    patients: integer('patients').notNull(),
    cured: integer('cured').notNull(),
    bestResponse: integer('best_response').array().notNull(),
    /** The sparse leader-fraction histogram, packed (tallies/packed-counts.ts). */
    leaderHistogram: bytea('leader_histogram').notNull(),
    /** Patients with lf-tid@2 outputs: the trial fields are over these. */
    v2Patients: integer('v2_patients').notNull(),
    objectiveResponses: integer('objective_responses').notNull(),
    toxicDeaths: integer('toxic_deaths').notNull(),
    grade4Neutropenia: integer('grade4_neutropenia').notNull(),
    /** Patients given at least one dose, and their relative dose intensities summed exactly. */
    dosedPatients: integer('dosed_patients').notNull(),
    doseIntensitySum: numeric('dose_intensity_sum').notNull(),
    recistBestResponse: integer('recist_best_response').array().notNull(),
    /** The point's grid: the time of step k is k × stepDays. */
    stepDays: doublePrecision('step_days').notNull(),
    /** The survival tables, one per endpoint of `survivalEndpoints` (columns named `<endpoint>_counts`). */
    osCounts: bytea('os_counts').notNull(),
    pfsCounts: bytea('pfs_counts').notNull(),
    mfsCounts: bytea('mfs_counts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sweepId, t.pointId] }), tenantIsolation()],
);

/** The survival tables a row per (point, endpoint), as stored before migration 0018, which defines it. */
export const sweepSurvivalTallies = pgView('sweep_survival_tallies', {
  tenantId: text('tenant_id').notNull(),
  sweepId: uuid('sweep_id').notNull(),
  endpoint: text('endpoint', { enum: survivalEndpoints }).notNull(),
  pointId: integer('point_id').notNull(),
  stepDays: doublePrecision('step_days').notNull(),
  counts: bytea('counts').notNull(),
}).existing();

/** Worker heartbeats, for the queue view (host, pid, threads, busy). */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text('worker_id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  threads: integer('threads').notNull(),
  busy: integer('busy').notNull(),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * API keys: only a hash of the secret is stored; `id` is the public part of the key. Row-level
 * security with no policy: the app role reads and writes keys only through the SECURITY DEFINER
 * functions of migration 0004, which check the caller's own key first.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    role: text('role', { enum: apiKeyRoles }).notNull(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    check(
      'api_keys_role_check',
      sql.raw(`${t.role.name} in (${apiKeyRoles.map((r) => `'${r}'`).join(', ')})`),
    ),
  ],
).enableRLS();

export type SweepRow = typeof sweeps.$inferSelect;
export type PointRow = typeof points.$inferSelect;
export type SweepPointRow = typeof sweepPoints.$inferSelect;
export type ChunkRow = typeof chunks.$inferSelect;
export type OutcomeRow = typeof outcomes.$inferSelect;
export type WorkerHeartbeatRow = typeof workerHeartbeats.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type SweepSurvivalTallyRow = typeof sweepSurvivalTallies.$inferSelect;
export type SweepPointTallyRow = typeof sweepPointTallies.$inferSelect;
