import { resolveParams, simulatePatient } from '../src/index.js';

const p = resolveParams({});
for (let i = 0; i < 5; i++)
  console.log(JSON.stringify(simulatePatient(p, { cohortSeed: 1, patientIndex: i })));
const t0 = performance.now();
const n = 2000;
let d = 0;
for (let i = 0; i < n; i++) d += simulatePatient(p, { cohortSeed: 1, patientIndex: i }).osEvent ? 1 : 0;
console.log('ms/patient', (performance.now() - t0) / n, 'deaths', d / n);
