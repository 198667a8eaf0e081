import { type ModelId, type ParamsOf, simulateCohort } from '@frontline/sim';

/** Patients [patientStart, patientEnd) of one point. */
export interface SimulateSegment {
  /** The point's model (its `points.model_id`): lf-tid@1 sweeps keep running v1, bit-identical. */
  modelId: ModelId;
  params: ParamsOf<ModelId>;
  patientStart: number;
  patientEnd: number;
}

/** One chunk: its segments, of one point or spanning several, run as one task. */
export interface SimulateChunkTask {
  cohortSeed: number;
  segments: SimulateSegment[];
}

/** Runs inside a piscina thread: the model never runs on the worker's event loop. Outcomes per segment. */
export default function simulateChunk(task: SimulateChunkTask) {
  return task.segments.map((segment) =>
    simulateCohort(
      segment.modelId,
      segment.params,
      task.cohortSeed,
      segment.patientStart,
      segment.patientEnd - segment.patientStart,
    ),
  );
}
