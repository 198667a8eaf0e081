/**
 * The v1 kernel in a child process started WITHOUT the workers' V8 flags, kept warm between rounds:
 * versus-c.ts asks it for a timed run of N patients and gets [wall, CPU] ms/patient back.
 */
import { resolveParams, simulatePatient } from '../src/index.js';

const params = resolveParams({});

process.on('message', (n: number) => {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += simulatePatient(params, { cohortSeed: 1, patientIndex: i }).osDays;
  const t1 = process.hrtime.bigint();
  const c = process.cpuUsage(c0);
  if (!Number.isFinite(sink)) throw new Error('non-finite outcome');
  process.send?.([Number(t1 - t0) / 1e6 / n, (c.user + c.system) / 1e3 / n]);
});
