import { defaultModelId, type ModelId, resolveModelParams, simulateCohort } from '@frontline/sim';
import { type SegmentModel, type SimulateChunkTask, simulateAndRecord } from '../src/simulate-task.js';

// Benchmark only: 1,000 real outcomes of the default point (of BENCH_MODEL, as the ceiling bench's sweep),
// simulated once per thread, stand in for every patient of every point (their patientIndex rewritten), so the
// tallies see realistic times.
const model = (process.env.BENCH_MODEL ?? defaultModelId) as ModelId;
const bank = simulateCohort(model, resolveModelParams(model), 1, 0, 1_000);

/** The stand-in model: copies of the bank (fresh objects, as recording rounds them in place). */
const standInModel: SegmentModel = (segment) => {
  const outcomes = [];
  for (let i = segment.patientStart; i < segment.patientEnd; i++)
    outcomes.push({ ...bank[i % bank.length]!, patientIndex: i });
  return outcomes;
};

/**
 * The piscina task of the ceiling bench's workers: outcomes without running the model, recorded in the
 * thread as in production (the stand-in replaces the model only).
 */
export default function standInSimulateChunk(task: SimulateChunkTask) {
  return simulateAndRecord(task, standInModel);
}
