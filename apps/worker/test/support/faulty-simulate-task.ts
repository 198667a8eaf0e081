import { pointHashFor } from '@frontline/sim';
import simulateChunk, { type SimulateChunkTask, taskSegments } from '../../src/simulate-task.js';
import { faultAt, faultsVariable, workerFaultsJson } from './faults.js';

// Test support, not app code: the faults come from the variable faultyWorker() sets.
const faults = workerFaultsJson.optional().parse(process.env[faultsVariable]);

/** The piscina task of a faulty worker: the real one, except at the chosen points. */
export default function faultySimulateChunk(task: SimulateChunkTask) {
  const found = taskSegments(task).map((s) => faultAt(faults, pointHashFor(s.modelId, s.params)));
  const fault = found.includes('throw') ? 'throw' : found.includes('hang') ? 'hang' : undefined;
  if (fault === 'throw') throw new Error('injected fault: the model threw at this point');
  if (fault === 'hang') spinForever();
  return simulateChunk(task);
}

/** A hung simulation: burns the thread until the chunk time limit makes piscina terminate it. */
function spinForever(): never {
  let spins = 0;
  for (;;) spins = (spins + 1) % 1_000_003;
}
