import {
  type ChunkRecording,
  type OutcomeRecord,
  type RecordedChunk,
  recordChunk,
} from '@frontline/db/record-chunk';
import { type ModelId, modelParamsResolver, type ParamsOf, simulateCohort } from '@frontline/sim';

/** Patients [patientStart, patientEnd) of one point. */
export interface SimulateSegment {
  /** The point's model (its `points.model_id`): lf-tid@1 sweeps keep running v1, bit-identical. */
  modelId: ModelId;
  params: ParamsOf<ModelId>;
  patientStart: number;
  patientEnd: number;
}

/** A segment as it crosses to a thread: its params as their differences from the chunk's base. */
interface SegmentChanges {
  modelId: ModelId;
  /** The params whose values differ from the base's, or every param (`whole`: another model or names). */
  params: object;
  whole: boolean;
  patientStart: number;
  patientEnd: number;
}

/**
 * One chunk as it crosses to a thread: its segments, of one point or spanning several, run as one task,
 * and how to record them. A chunk's points differ in a few axis values, so the first segment's params go
 * whole and every segment carries only what differs from them: 1,000 two-patient points cloned whole
 * were 1.5 MB a chunk (~2.6 ms to serialize on the main thread, ~4 ms to read back in the thread), and the
 * thread then compared every parameter of every point to find those few (bench:clone-cost).
 */
export interface SimulateChunkTask {
  cohortSeed: number;
  /** The first segment's params, whole (undefined for a chunk without segments). */
  base: ParamsOf<ModelId> | undefined;
  segments: SegmentChanges[];
  /** The loaded chunk's recording (chunkRecording): its segments in the same order. */
  recording: ChunkRecording;
}

/**
 * A segment as loaded (loadChunk): its point's parameters as stored, the base the sweep's points share
 * (one object per base) and the point's differences from it, or every parameter without a base.
 */
export interface StoredSegment {
  modelId: ModelId;
  base: Readonly<Record<string, unknown>> | undefined;
  changes: object;
  patientStart: number;
  patientEnd: number;
}

/**
 * The task of a chunk's segments (in order), for SimulationPool.run. Stored segments that share the first
 * one's base go as their stored differences, neither copied nor compared; any other segment as its
 * differences from that base (or the first segment's params), found by comparing every parameter.
 */
export function chunkTask(
  cohortSeed: number,
  segments: readonly (SimulateSegment | StoredSegment)[],
  recording: ChunkRecording,
): SimulateChunkTask {
  const first = segments[0];
  const base =
    first === undefined ? undefined : 'params' in first ? first.params : (first.base ?? first.changes);
  const names = base ? Object.keys(base).length : 0;
  return {
    cohortSeed,
    base: base as ParamsOf<ModelId> | undefined,
    recording,
    segments: segments.map((segment) => {
      const { modelId, patientStart, patientEnd } = segment;
      const sameModel = modelId === first!.modelId;
      if ('changes' in segment && segment.base !== undefined && segment.base === base && sameModel)
        return { modelId, params: segment.changes, whole: false, patientStart, patientEnd };
      const params = 'params' in segment ? segment.params : wholeParams(segment);
      const changes =
        base && sameModel ? changedParams(params, base as Record<string, unknown>, names) : undefined;
      return { modelId, params: changes ?? params, whole: changes === undefined, patientStart, patientEnd };
    }),
  };
}

const wholeParams = ({ base, changes }: StoredSegment) => (base ? { ...base, ...changes } : changes);

/**
 * The entries of `params` whose values differ from `base`'s (arrays by their elements); undefined unless
 * both name the same `names` parameters.
 */
function changedParams(params: object, base: Record<string, unknown>, names: number) {
  const own = params as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  let count = 0;
  // for…in, not Object.entries: an array per parameter per point cost more than the clone it saves.
  for (const name in own) {
    count++;
    const value = own[name];
    const was = base[name];
    // The base's values are never undefined: undefined there is a name the base lacks.
    if (was === undefined) return undefined;
    if (value === was || (Array.isArray(value) && Array.isArray(was) && sameElements(value, was))) continue;
    changes[name] = value;
  }
  return count === names ? changes : undefined;
}

const sameElements = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A task's segments with their params whole again, in the thread: each point's differences resolved over
 * the base (checked once a task), as the sweep's own points were resolved over its params, so the kernel
 * gets checked params without comparing every one of them point by point.
 */
export function taskSegments(task: SimulateChunkTask): SimulateSegment[] {
  const { base } = task;
  let resolve: ((values: Record<string, number>) => ParamsOf<ModelId>) | undefined;
  return task.segments.map(({ modelId, params, whole, patientStart, patientEnd }) => {
    if (whole || base === undefined)
      return { modelId, params: params as ParamsOf<ModelId>, patientStart, patientEnd };
    resolve ??= modelParamsResolver(modelId, base);
    return { modelId, params: resolve(params as Record<string, number>), patientStart, patientEnd };
  });
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
    taskSegments(task).map((segment) => simulate(segment, task.cohortSeed)),
  );
}

/**
 * Runs inside a piscina thread: the model never runs on the worker's event loop, nor does recording its
 * outcomes (grid, tallies, row columns), so the main thread only runs the chunk's transaction.
 */
export default function simulateChunk(task: SimulateChunkTask): RecordedChunk {
  return simulateAndRecord(task, runModel);
}
