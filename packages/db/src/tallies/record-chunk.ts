/**
 * Recording a chunk's outcomes, in the simulation thread that produced them (`@frontline/db/record-chunk`):
 * each outcome on its point's grid (recordedOutcome), the chunk's tallies counted and packed, and in
 * `full` mode its rows as the outcome insert's column parameters. The worker's main thread then only
 * runs completeChunk's transaction; no outcome object crosses threads, and in `summary` mode nothing per
 * patient does (but v2 patients' dose intensities: one text array, summed exactly in SQL).
 * Pure: no pg, no drizzle (the table's column order arrives with the task, from outcomeColumns).
 */
import type { OutcomeRetention } from '@frontline/contracts';
import { arrayElement, arrayLiteral } from '../array-literal.js';
import { type OutcomeField, type OutcomeRecord, storedValueOf } from '../outcome-values.js';
import { type ChunkTallies, chunkTallies } from './record-tallies.js';
import { gridIndex, gridTimeFields, recordOutcomeInPlace } from './time-grid.js';

export type { OutcomeRecord } from '../outcome-values.js';
export type { ChunkTallies } from './record-tallies.js';

/** What recording a chunk needs to know, from the loaded chunk (chunkRecording). */
export interface ChunkRecording {
  sweepId: string;
  retention: OutcomeRetention;
  /** Per segment of the chunk, in its order: the point and the point's grid. */
  segments: { pointId: number; stepDays: number }[];
  /** The outcome table's columns (after point_id) in table order, as outcomeColumns names them. */
  fields: readonly OutcomeField[];
}

/**
 * A chunk's rows as the outcome insert takes them: one Postgres array literal per column (`{1,2,NULL}`),
 * built here, so the main thread neither receives outcome objects nor serializes their values.
 */
export interface OutcomeRows {
  count: number;
  pointIds: string;
  /** Aligned with ChunkRecording.fields. */
  columns: string[];
}

/** What a simulation thread hands back for a chunk: everything completeChunk writes. */
export interface RecordedChunk {
  simulated: number;
  /** Undefined for a chunk without patients. */
  tallies: ChunkTallies | undefined;
  /** Undefined in `summary` mode (and for a chunk without patients). */
  rows: OutcomeRows | undefined;
}

/**
 * Record a chunk's outcomes (one list per segment, as the chunk's segments): rounds the outcomes in place
 * (they must be the caller's own), then counts the tallies and, in `full` mode, lays out the rows.
 */
export function recordChunk(recording: ChunkRecording, outcomes: readonly OutcomeRecord[][]): RecordedChunk {
  const { sweepId, retention, segments } = recording;
  if (outcomes.length !== segments.length)
    throw new Error(`${outcomes.length} outcome lists for ${segments.length} segments`);
  let simulated = 0;
  for (const [i, records] of outcomes.entries()) {
    const { stepDays } = segments[i]!;
    for (const record of records) recordOutcomeInPlace(record, stepDays);
    simulated += records.length;
  }
  const tallies = chunkTallies(
    segments.map((s) => ({ sweepId, pointId: s.pointId, stepDays: s.stepDays, outcomes: retention })),
    outcomes,
  );
  const rows = retention === 'full' && simulated > 0 ? outcomeRows(recording, outcomes) : undefined;
  return { simulated, tallies, rows };
}

/** The rows of recorded outcomes, column by column: survival times as step numbers of each point's grid. */
function outcomeRows(recording: ChunkRecording, outcomes: readonly OutcomeRecord[][]): OutcomeRows {
  const pointIds: number[] = [];
  for (const [i, records] of outcomes.entries())
    for (let k = 0; k < records.length; k++) pointIds.push(recording.segments[i]!.pointId);
  const columns = recording.fields.map((field) => {
    const value = storedValueOf(field);
    const onGrid = (gridTimeFields as readonly string[]).includes(field);
    const elements: string[] = [];
    for (const [i, records] of outcomes.entries()) {
      const { stepDays } = recording.segments[i]!;
      for (const record of records) {
        const v = value(record);
        elements.push(arrayElement(onGrid && v !== null ? gridIndex(v as number, stepDays) : v));
      }
    }
    return `{${elements.join(',')}}`;
  });
  return { count: pointIds.length, pointIds: arrayLiteral(pointIds), columns };
}
