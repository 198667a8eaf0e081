import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { type PatientOutcome, Rng, resolveParams, sampledParamNames, simulatePatient } from '../src/index.js';

function runInWorker(
  overrides: Record<string, unknown>,
  cohortSeed: number,
  indices: number[],
): Promise<PatientOutcome[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
      workerData: { overrides, cohortSeed, indices },
      execArgv: ['--conditions=@frontline/source', '--import', 'tsx'],
    });
    w.once('message', (m: PatientOutcome[]) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}

describe('determinism and common random numbers', () => {
  const BIG_SEED = 2 ** 53 - 12345; // > 2^32: must be hashed, not truncated

  it('same (params, seed, patient) twice → identical outcome, in any order', () => {
    const p = resolveParams({});
    const idx = Array.from({ length: 40 }, (_, i) => i);
    const forward = idx.map((i) => simulatePatient(p, { cohortSeed: 77, patientIndex: i, trajectory: true }));
    // Interleave other points and seeds, then run backwards.
    const other = resolveParams({ dose: 10, emtPlasticity: 3 });
    const backward = [...idx].reverse().map((i) => {
      simulatePatient(other, { cohortSeed: 78, patientIndex: i });
      return simulatePatient(p, { cohortSeed: 77, patientIndex: i, trajectory: true });
    });
    backward.reverse();
    expect(backward).toStrictEqual(forward);
    // The trajectory option does not change the outcome.
    const plain = simulatePatient(p, { cohortSeed: 77, patientIndex: 3 });
    const { trajectory, ...rest } = forward[3]!;
    expect(trajectory!.day.length).toBeGreaterThan(1);
    expect(plain).toStrictEqual(rest);
  });

  it('a worker thread gives bit-identical outcomes', async () => {
    const overrides = { immuneKill: 0.07, dose: 3 };
    const indices = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55];
    const p = resolveParams(overrides);
    const local = indices.map((i) =>
      simulatePatient(p, { cohortSeed: BIG_SEED, patientIndex: i, trajectory: true }),
    );
    const remote = await runInWorker(overrides, BIG_SEED, indices);
    expect(remote).toStrictEqual(local);
    // Bit level (toStrictEqual uses Object.is for numbers, but be explicit for the times).
    for (let k = 0; k < indices.length; k++) {
      expect(Object.is(remote[k]!.osDays, local[k]!.osDays)).toBe(true);
      expect(Object.is(remote[k]!.nadirCells, local[k]!.nadirCells)).toBe(true);
    }
  });

  it('a separate process gives bit-identical outcomes (JSON numbers round-trip exactly)', () => {
    const overrides = { emtPlasticity: 2 };
    const indices = [4, 9, 16, 25];
    const p = resolveParams(overrides);
    const local = indices.map((i) => simulatePatient(p, { cohortSeed: BIG_SEED, patientIndex: i }));
    const stdout = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./child-entry.ts', import.meta.url)),
        JSON.stringify([overrides, BIG_SEED, indices]),
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(stdout)).toStrictEqual(local);
  });

  it("changing the parameter point does not change patient i's random stream", () => {
    const base = resolveParams({});
    const points = [
      resolveParams({ dose: 0 }),
      resolveParams({ dose: 10, immuneKill: 0.2 }),
      resolveParams({ emtPlasticity: 7, growthRate: 0.04, maxDrugKill: 0.5 }),
      resolveParams({ stepDays: 0.1, seedingRate: 0 }),
    ];
    for (let i = 0; i < 30; i++) {
      const a = simulatePatient(base, { cohortSeed: 5, patientIndex: i });
      for (const q of points) {
        const b = simulatePatient(q, { cohortSeed: 5, patientIndex: i });
        expect(b.redraws).toBe(0);
        for (const name of sampledParamNames) {
          // Same Z: sampled / median is identical (medians may differ between points).
          expect(b.sampled[name] / q[name]).toBeCloseTo(a.sampled[name] / base[name], 12);
        }
        // Phase 0 does not involve dose, immune kill or the treatment step: same history at diagnosis.
        if (q.emtPlasticity === base.emtPlasticity && q.growthRate === base.growthRate && q.seedingRate > 0) {
          expect(b.leaderFractionAtDiagnosis).toBe(a.leaderFractionAtDiagnosis);
          expect(b.metastaticCellsAtDiagnosis).toBe(a.metastaticCellsAtDiagnosis);
        }
        if (q.seedingRate === 0) expect(b.metastaticCellsAtDiagnosis).toBe(0);
      }
    }
  });

  it('the Z stream of a patient is a fixed function of (cohortSeed, patientIndex)', () => {
    const p = resolveParams({});
    for (const [seed, i] of [
      [0, 0],
      [1, 999],
      [BIG_SEED, 123456789],
    ] as const) {
      const z = new Rng(seed, i, 0);
      const o = simulatePatient(p, { cohortSeed: seed, patientIndex: i });
      const expectZ = sampledParamNames.map(() => z.normal());
      const sigmas = [0.4, 0.5, 0.3, 0.3, 0.3, 0.5];
      sampledParamNames.forEach((name, k) => {
        expect(o.sampled[name]).toBe(p[name] * Math.exp(sigmas[k]! * expectZ[k]!));
      });
    }
  });

  it('different patients and different cohort seeds are different people', () => {
    const p = resolveParams({});
    const a = simulatePatient(p, { cohortSeed: 2 ** 32 + 1, patientIndex: 0 });
    const b = simulatePatient(p, { cohortSeed: 1, patientIndex: 0 });
    const c = simulatePatient(p, { cohortSeed: 1, patientIndex: 1 });
    expect(a.sampled.growthRate).not.toBe(b.sampled.growthRate);
    expect(c.sampled.growthRate).not.toBe(b.sampled.growthRate);
  });
});
