/**
 * Adding a chunk's outcomes to its sweep's tables. The counts are computed and packed before the
 * transaction (chunkTallies); addChunkTallies runs only in the transaction that moved the chunk from
 * pending to done, so a retried or duplicated chunk adds nothing twice. A constant number of statements
 * per chunk, whatever its number of segments: one read of the chunk's points' rows (locked), then one
 * insert or upsert over arrays of all its points (one row a point). Packed counts (survival tables, leader
 * histogram) are merged here with the locked rows; plain counters are added by the upsert in SQL.
 */
import {
  bestResponses,
  recistResponses,
  type SurvivalEndpoint,
  survivalEndpoints,
} from '@frontline/contracts';
import type pg from 'pg';
import {
  arrayLiteral,
  byteaArrayLiteral,
  byteaElement,
  byteaOfElement,
  literalElements,
} from '../array-literal.js';
import type { OutcomeRecord } from '../outcome-values.js';
import { pointCounts, stepCounts } from './chunk-tally.js';
import { numericSum } from './numeric-sum.js';
import {
  addHistograms,
  addStepCounts,
  packHistogram,
  packStepCounts,
  unpackHistogram,
  unpackStepCounts,
} from './packed-counts.js';
import type { PointRecording } from './recording.js';

/**
 * The column of a point's row holding an endpoint's survival table (schema.ts sweep_point_tallies). Checked,
 * as it is written into SQL: an endpoint not in the vocabulary throws.
 */
export function survivalColumn(endpoint: SurvivalEndpoint): `${SurvivalEndpoint}_counts` {
  if (!survivalEndpoints.includes(endpoint))
    throw new Error(`unknown survival endpoint ${JSON.stringify(endpoint)}`);
  return `${endpoint}_counts`;
}

// In survivalEndpoints' order, as tallies.survival holds each point's tables.
const survivalColumns = survivalEndpoints.map(survivalColumn);

// Under the points' advisory locks; `for update` also keeps any other writer of these rows out until commit.
const readExisting = `
  select point_id as "pointId", leader_histogram as "leaderHistogram", ${survivalColumns.join(', ')}
  from sweep_point_tallies where sweep_id = $1 and point_id = any($2::int4[]) order by point_id for update`;

// Chunks of a sweep that share a point merge into its rows one after the other: each takes the point's
// advisory lock (per sweep and point, held to commit) before touching its rows, in point order, so they
// cannot deadlock. Row locks alone would not do for a point's first chunks: two of them would both find
// no row and insert, and the upsert's conflict path would keep the later one's packed counts only.
// First the sweep's row `for key share`, once, as a foreign key would for every row (the tables have none:
// schema.ts): deleteSweep cannot remove the sweep before this commits, nor this add to a deleted sweep.
const lockPoints = `
  with sweep as (select id from sweeps where id = $1::text::uuid for key share)
  select count(pg_advisory_xact_lock(hashtext($1::text), u.point_id))::int as locked
  from sweep, unnest($2::int4[]) as u(point_id)`;

const bestResponseWidth = bestResponses.length;
const recistWidth = recistResponses.length;

// Arrays travel as literals built here (array-literal.ts): pg's encoding of arrays (of Buffers above all) took
// most of a chunk's CPU on the worker's main thread. (One binary bytea cut per row with `substring` was
// tried: Postgres then copied the whole value for every row, the upsert 1.6 → 2.5 s per 50,000 points.)
// Dense response counts travel flattened (width per point); each point's dose intensities arrive summed
// exactly as Postgres sums them as numeric (numericSum), so a mean dose intensity keeps every digit. The
// survival tables travel one array per endpoint ($15…), aligned with the points.
const survivalParams = survivalColumns.map((_, j) => `$${15 + j}::bytea[]`);
const pointInsert = `
  insert into sweep_point_tallies as t (tenant_id, sweep_id, point_id, patients, cured, best_response,
    leader_histogram, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
    dose_intensity_sum, recist_best_response, step_days, ${survivalColumns.join(', ')})
  select s.tenant_id, s.id, u.point_id, u.patients, u.cured,
         ($5::int4[])[(u.i - 1) * ${bestResponseWidth} + 1 : u.i * ${bestResponseWidth}], u.leader_histogram,
         u.v2_patients, u.objective_responses, u.toxic_deaths, u.grade4_neutropenia, u.dosed, u.dose_sum::numeric,
         ($13::int4[])[(u.i - 1) * ${recistWidth} + 1 : u.i * ${recistWidth}], u.step_days,
         ${survivalColumns.map((c) => `u.${c}`).join(', ')}
  from sweeps s,
       unnest($2::int4[], $3::int4[], $4::int4[], $6::bytea[], $7::int4[], $8::int4[], $9::int4[], $10::int4[],
              $11::int4[], $12::text[], $14::float8[], ${survivalParams.join(', ')})
         with ordinality as u(point_id, patients, cured, leader_histogram, v2_patients, objective_responses,
                              toxic_deaths, grade4_neutropenia, dosed, dose_sum, step_days,
                              ${survivalColumns.join(', ')}, i)
  where s.id = $1`;
const pointUpsert = `${pointInsert}
  on conflict (sweep_id, point_id) do update set
    patients = t.patients + excluded.patients,
    cured = t.cured + excluded.cured,
    best_response = array(select x + y from unnest(t.best_response, excluded.best_response) with ordinality as a(x, y, k) order by k),
    leader_histogram = excluded.leader_histogram,
    v2_patients = t.v2_patients + excluded.v2_patients,
    objective_responses = t.objective_responses + excluded.objective_responses,
    toxic_deaths = t.toxic_deaths + excluded.toxic_deaths,
    grade4_neutropenia = t.grade4_neutropenia + excluded.grade4_neutropenia,
    dosed_patients = t.dosed_patients + excluded.dosed_patients,
    dose_intensity_sum = t.dose_intensity_sum + excluded.dose_intensity_sum,
    recist_best_response = array(select x + y from unnest(t.recist_best_response, excluded.recist_best_response) with ordinality as a(x, y, k) order by k),
    ${survivalColumns.map((c) => `${c} = excluded.${c}`).join(', ')}`;

/** One point's outcomes of a chunk (its segments merged). */
interface PointOutcomes {
  recording: PointRecording;
  records: OutcomeRecord[];
}

/**
 * What a chunk adds to its sweep's tables, computed before the transaction (pure, from the outcomes; in
 * the simulation thread, recordChunk): points ascending, so every chunk locks and writes the rows of
 * points they share in the same order. Its columns are the insert's array parameters, built as literals
 * where the outcomes are: strings cross threads in one copy each, where the counts' objects and byte
 * arrays took ~30 ms a chunk of 1,000 points to clone (bench:clone-cost in apps/worker). Nothing in it
 * grows with patients.
 */
export interface ChunkTallies {
  sweepId: string;
  pointIds: number[];
  /** Aligned with pointIds: array literals (arrayLiteral, byteaArrayLiteral). */
  columns: TallyColumns;
}

/** A chunk's per-point additions as pointInsert's array parameters, one literal each. */
export interface TallyColumns {
  pointIds: string;
  patients: string;
  cured: string;
  /** Flattened: bestResponses.length counts a point. */
  bestResponse: string;
  /** Packed leader histograms (packHistogram). */
  leaderHistograms: string;
  v2Patients: string;
  objectiveResponses: string;
  toxicDeaths: string;
  grade4Neutropenia: string;
  dosedPatients: string;
  /** Each point's dose intensities summed as Postgres sums float8 as numeric (numericSum). */
  doseIntensitySums: string;
  /** Flattened: recistResponses.length counts a point. */
  recistBestResponse: string;
  stepDays: string;
  /** Per endpoint (survivalEndpoints' order): the points' survival tables packed (packStepCounts). */
  survival: string[];
}

/** A chunk's counts (one list of outcomes per recording, as its segments); undefined if it has none. */
export function chunkTallies(
  recordings: readonly PointRecording[],
  outcomes: readonly (readonly OutcomeRecord[])[],
): ChunkTallies | undefined {
  const byPoint = new Map<number, PointOutcomes>();
  for (const [i, recording] of recordings.entries()) {
    const records = outcomes[i] ?? [];
    if (records.length === 0) continue;
    const entry = byPoint.get(recording.pointId) ?? { recording, records: [] };
    entry.records.push(...records);
    byPoint.set(recording.pointId, entry);
  }
  if (byPoint.size === 0) return undefined;
  const points = [...byPoint.values()].sort((a, b) => a.recording.pointId - b.recording.pointId);
  const counts = points.map((p) => pointCounts(p.records));
  const pointIds = points.map((p) => p.recording.pointId);
  return {
    sweepId: recordings[0]!.sweepId,
    pointIds,
    columns: {
      pointIds: arrayLiteral(pointIds),
      patients: arrayLiteral(counts.map((c) => c.patients)),
      cured: arrayLiteral(counts.map((c) => c.cured)),
      bestResponse: arrayLiteral(counts.flatMap((c) => c.bestResponse)),
      leaderHistograms: byteaArrayLiteral(counts.map((c) => packHistogram(c.leaderHistogram))),
      v2Patients: arrayLiteral(counts.map((c) => c.v2Patients)),
      objectiveResponses: arrayLiteral(counts.map((c) => c.objectiveResponses)),
      toxicDeaths: arrayLiteral(counts.map((c) => c.toxicDeaths)),
      grade4Neutropenia: arrayLiteral(counts.map((c) => c.grade4Neutropenia)),
      dosedPatients: arrayLiteral(counts.map((c) => c.doseIntensities.length)),
      // numericSum's text is digits, a sign and an exponent: a bare element of a text[] literal.
      doseIntensitySums: `{${counts.map((c) => numericSum(c.doseIntensities)).join(',')}}`,
      recistBestResponse: arrayLiteral(counts.flatMap((c) => c.recistBestResponse)),
      stepDays: arrayLiteral(points.map((p) => p.recording.stepDays)),
      survival: survivalEndpoints.map((endpoint) =>
        byteaArrayLiteral(
          points.map(({ recording, records }) =>
            packStepCounts(stepCounts(records, endpoint, recording.stepDays)),
          ),
        ),
      ),
    },
  };
}

/**
 * A bytea[] literal with each point's element merged with its stored row's packed counts (`storedOf` gives
 * them, undefined for a point without a row; `add` sums two packed forms). Only those elements are decoded.
 */
function mergedLiteral(
  literal: string,
  storedOf: (i: number) => Uint8Array | undefined,
  add: (stored: Uint8Array, added: Uint8Array) => Uint8Array,
): string {
  const elements = literalElements(literal);
  for (let i = 0; i < elements.length; i++) {
    const stored = storedOf(i);
    if (stored) elements[i] = byteaElement(add(stored, byteaOfElement(elements[i]!)));
  }
  return `{${elements.join(',')}}`;
}

/**
 * Add a chunk's counts to its points' rows (survival tables of every endpoint and summaries), in three
 * statements: take the points' advisory locks (in point order), read the chunk's stored rows, then one
 * insert (or upsert, where rows are stored). Only in the transaction where the chunk moved pending → done
 * (exactly once per chunk). The only work between statements is merging packed counts into rows already stored.
 */
export async function addChunkTallies(client: pg.ClientBase, tallies: ChunkTallies): Promise<void> {
  const { sweepId, pointIds, columns } = tallies;
  await client.query(lockPoints, [sweepId, pointIds]);
  const { rows } = await client.query<
    { pointId: number; leaderHistogram: Uint8Array } & Record<string, Uint8Array>
  >(readExisting, [sweepId, pointIds]);
  const existing = new Map(rows.map((r) => [r.pointId, r]));
  const stored = (i: number) => existing.get(pointIds[i]!);
  // Where rows are stored, their packed counts and the chunk's are merged here; the plain counters in SQL.
  const survival = survivalColumns.map((column, j) =>
    rows.length === 0
      ? columns.survival[j]!
      : mergedLiteral(
          columns.survival[j]!,
          (i) => stored(i)?.[column],
          (row, added) => packStepCounts(addStepCounts(unpackStepCounts(row), unpackStepCounts(added))),
        ),
  );
  const histograms =
    rows.length === 0
      ? columns.leaderHistograms
      : mergedLiteral(
          columns.leaderHistograms,
          (i) => stored(i)?.leaderHistogram,
          (row, added) => packHistogram(addHistograms(unpackHistogram(row), unpackHistogram(added))),
        );

  // A chunk none of whose points has a row yet (every chunk of a design of small points) inserts them: an
  // upsert's speculative insertion cost ~1.7× a plain insert here (150,000 survival rows: 1.45 s → 0.85 s).
  // Safe under the points' advisory locks: no other chunk can add their rows before this one commits.
  await client.query(rows.length === 0 ? pointInsert : pointUpsert, [
    sweepId,
    columns.pointIds,
    columns.patients,
    columns.cured,
    columns.bestResponse,
    histograms,
    columns.v2Patients,
    columns.objectiveResponses,
    columns.toxicDeaths,
    columns.grade4Neutropenia,
    columns.dosedPatients,
    columns.doseIntensitySums,
    columns.recistBestResponse,
    columns.stepDays,
    ...survival,
  ]);
}
