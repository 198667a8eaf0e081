import { type ModelParams, simulatePatient } from '@frontline/sim';

export interface SimulateChunkTask {
  params: ModelParams;
  cohortSeed: number;
  patientStart: number;
  patientEnd: number;
}

/** Runs inside a piscina thread: the model never runs on the worker's event loop. */
export default function simulateChunk(task: SimulateChunkTask) {
  const outcomes = [];
  for (let patientIndex = task.patientStart; patientIndex < task.patientEnd; patientIndex++) {
    outcomes.push(simulatePatient(task.params, { cohortSeed: task.cohortSeed, patientIndex }));
  }
  return outcomes;
}
