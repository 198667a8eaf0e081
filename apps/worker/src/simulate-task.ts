import { type ModelParams, simulatePatient } from '@frontline/sim';
import type { InjectedFault } from './fault-injection.js';

export interface SimulateChunkTask {
  params: ModelParams;
  cohortSeed: number;
  patientStart: number;
  patientEnd: number;
  /** Test only (FRONTLINE_FAULT_INJECTION): fail this chunk the way a broken model would. */
  fault?: InjectedFault;
}

/** Runs inside a piscina thread: the model never runs on the worker's event loop. */
export default function simulateChunk(task: SimulateChunkTask) {
  if (task.fault === 'throw') throw new Error('injected fault: the model threw at this point');
  if (task.fault === 'hang') spinForever();
  const outcomes = [];
  for (let patientIndex = task.patientStart; patientIndex < task.patientEnd; patientIndex++) {
    outcomes.push(simulatePatient(task.params, { cohortSeed: task.cohortSeed, patientIndex }));
  }
  return outcomes;
}

/** A hung simulation: burns the thread until the chunk time limit makes piscina terminate it. */
function spinForever(): never {
  let spins = 0;
  for (;;) spins = (spins + 1) % 1_000_003;
}
