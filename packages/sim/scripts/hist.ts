import { resolveParams, simulatePatient } from '../src/index.js';
import { Rng } from '../src/rng.js';

const h = new Map<number, number>();
const orig = Rng.prototype.poisson;
let calls = 0;
Rng.prototype.poisson = function (m: number) {
  calls++;
  const b = m <= 0 ? -99 : Math.floor(Math.log10(m));
  h.set(b, (h.get(b) ?? 0) + 1);
  return orig.call(this, m);
};
const p = resolveParams({});
const n = 500;
for (let i = 0; i < n; i++) simulatePatient(p, { cohortSeed: 1, patientIndex: i });
console.log('calls/patient', calls / n);
console.log(
  [...h.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => `1e${k}: ${(v / n).toFixed(0)}`)
    .join('\n'),
);
