// Worker-thread entry for the determinism test: simulates the requested patients and posts the outcomes.
import { parentPort, workerData } from 'node:worker_threads';
import { resolveParams, simulatePatient } from '../src/index.js';

const { overrides, cohortSeed, indices } = workerData as {
  overrides: Record<string, unknown>;
  cohortSeed: number;
  indices: number[];
};
const params = resolveParams(overrides);
parentPort!.postMessage(
  indices.map((i) => simulatePatient(params, { cohortSeed, patientIndex: i, trajectory: true })),
);
