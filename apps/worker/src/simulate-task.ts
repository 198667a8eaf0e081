import {
  type ChunkRecording,
  type OutcomeRecord,
  type RecordedChunk,
  recordChunk,
} from '@frontline/db/record-chunk';
import { type ModelId, type ParamsOf, simulateCohort } from '@frontline/sim';

/** Patients [patientStart, patientEnd) of one point. */
export interface SimulateSegment {
  /** The point's model (its `points.model_id`): lf-tid@1 sweeps keep running v1, bit-identical. */
  modelId: ModelId;
  params: ParamsOf<ModelId>;
  patientStart: number;
  patientEnd: number;
}

/** One chunk: its segments, of one point or spanning several, run as one task, and how to record them. */
export interface SimulateChunkTask {
  cohortSeed: number;
  segments: SimulateSegment[];
  /** The loaded chunk's recording (chunkRecording): its segments in the same order. */
  recording: ChunkRecording;
}

/** A model run over one segment: the outcomes of its patients (the real kernel, or the ceiling bench's stand-in). */
export type SegmentModel = (segment: SimulateSegment, cohortSeed: number) => OutcomeRecord[];

const runModel: SegmentModel = (segment, cohortSeed) =>
  simulateCohort(
    segment.modelId,
    segment.params,
    cohortSeed,
    segment.patientStart,
    segment.patientEnd - segment.patientStart,
  );

/** Simulate a chunk's segments and record them, in this thread: only the recorded chunk crosses back. */
export function simulateAndRecord(task: SimulateChunkTask, simulate: SegmentModel): RecordedChunk {
  return recordChunk(
    task.recording,
    task.segments.map((segment) => simulate(segment, task.cohortSeed)),
  );
}

/**
 * Runs inside a piscina thread: the model never runs on the worker's event loop, nor does recording its
 * outcomes (grid, tallies, row columns), so the main thread only runs the chunk's transaction.
 */
export default function simulateChunk(task: SimulateChunkTask): RecordedChunk {
  return simulateAndRecord(task, runModel);
}
