import { describe, expect, it } from 'vitest';
import {
  defaultModelId,
  modelIds,
  pointHash,
  pointHashFor,
  resolveModelParams,
  resolveParams,
  simulateCohort,
  simulatePatient,
} from '../src/index.js';

/** v2's switches that turn it into v1: no toxicity, continuous observation, no stop at progression. */
const AS_V1 = { toxicity: 0, scanIntervalDays: 0, stopAtProgression: 0 } as const;

describe('lf-tid@2 reduces to lf-tid@1', () => {
  const points: Record<string, number>[] = [
    {},
    { dose: 0 },
    { dose: 10, immuneKill: 0.1 },
    { emtPlasticity: 10, hill: 2 },
    { cycleDays: 14, cycles: 9, stepDays: 0.5 },
  ];
  for (const v1Overrides of points) {
    it(`toxicity off, continuous observation, no stop: every v1 field bit-identical at ${JSON.stringify(v1Overrides)} (200 patients)`, () => {
      const { cycleDays, ...rest } = v1Overrides;
      const v2Overrides = {
        ...rest,
        ...AS_V1,
        ...(cycleDays === undefined ? {} : { doseInterval: cycleDays }),
      };
      const p1 = resolveParams(v1Overrides);
      const p2 = resolveModelParams('lf-tid@2', v2Overrides);
      const v2 = simulateCohort('lf-tid@2', p2, 9, 0, 200);
      for (let i = 0; i < 200; i++) {
        const v1 = simulatePatient(p1, { cohortSeed: 9, patientIndex: i });
        const o = v2[i]!;
        for (const key of Object.keys(v1) as (keyof typeof v1)[]) {
          if (key === 'sampled') continue;
          expect(Object.is(o[key], v1[key]), `${key} of patient ${i}`).toBe(true);
        }
        for (const [name, value] of Object.entries(v1.sampled)) {
          expect(Object.is(o.sampled[name as keyof typeof o.sampled], value)).toBe(true);
        }
        // The continuous-observation RECIST fields are v1's.
        expect(o.recistBestResponse).toBe(v1.bestResponse);
        expect(o.scanPfsDays).toBe(v1.pfsDays);
        expect(o.worstNeutropeniaGrade).toBe(0);
        expect(o.toxicDeath).toBe(false);
      }
    });
  }

  it('the model id is part of the point hash; v1 hashes are unchanged; v2 is the default', () => {
    expect(modelIds).toEqual(['lf-tid@1', 'lf-tid@2']);
    expect(defaultModelId).toBe('lf-tid@2');
    const p1 = resolveModelParams('lf-tid@1', {});
    expect(pointHashFor('lf-tid@1', p1)).toBe(pointHash(resolveParams({})));
    const p2 = resolveModelParams('lf-tid@2', {});
    const p2b = resolveModelParams('lf-tid@2', { doseDays: [] });
    expect(pointHashFor('lf-tid@2', p2)).toBe(pointHashFor('lf-tid@2', p2b));
    expect(pointHashFor('lf-tid@2', p2)).not.toBe(pointHashFor('lf-tid@1', p1));
    expect(pointHashFor('lf-tid@2', resolveModelParams('lf-tid@2', { doseInterval: 14 }))).not.toBe(
      pointHashFor('lf-tid@2', p2),
    );
  });
});
