// Child-process entry for the determinism test: prints the outcomes of the requested patients as JSON.
import { resolveParams, simulatePatient } from '../src/index.js';

const [overrides, cohortSeed, indices] = JSON.parse(process.argv[2]!) as [
  Record<string, unknown>,
  number,
  number[],
];
const params = resolveParams(overrides);
process.stdout.write(
  JSON.stringify(indices.map((i) => simulatePatient(params, { cohortSeed, patientIndex: i }))),
);
