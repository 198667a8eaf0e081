import { type ModelId, type ParamsOf, simulateCohort } from '@frontline/sim';

export interface SimulateChunkTask {
  /** The point's model (its `points.model_id`): lf-tid@1 sweeps keep running v1, bit-identical. */
  modelId: ModelId;
  params: ParamsOf<ModelId>;
  cohortSeed: number;
  patientStart: number;
  patientEnd: number;
}

/** Runs inside a piscina thread: the model never runs on the worker's event loop. */
export default function simulateChunk(task: SimulateChunkTask) {
  return simulateCohort(
    task.modelId,
    task.params,
    task.cohortSeed,
    task.patientStart,
    task.patientEnd - task.patientStart,
  );
}
