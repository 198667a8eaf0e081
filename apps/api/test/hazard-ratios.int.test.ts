import { coxPh, logRank, virtualTrialPower } from '@frontline/stats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

/** An exported outcome row (NDJSON): point index, axis values and outcome columns, camelCase. */
type ExportRow = Record<string, number | boolean | string>;

const doses = [0, 1, 2];
const immuneKills = [0.035, 0.35];

/** HR equal to coxPh to ~1e-9 relative: the weighted (count-table) fit and the raw one differ only in rounding. */
const close = (served: number | null, expected: number) =>
  expect(Math.abs((served as number) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));

describe('hazard ratios and virtual-trial power over the real stack', () => {
  let harness: Harness;
  let sweepId: string;
  let rows: ExportRow[];
  const get = (path: string) => harness.request('GET', `/v1/sweeps/${sweepId}/${path}`);
  const arm = (dose: number) => rows.filter((r) => r.dose === dose);
  const raw = (subset: ExportRow[], endpoint: string) => ({
    time: subset.map((r) => r[`${endpoint}Days`] as number),
    event: subset.map((r) => r[`${endpoint}Event`] as boolean),
  });

  beforeAll(async () => {
    harness = await startHarness();
    await harness.startWorker(2);
    const created = await harness.submit({
      name: 'hazard ratios',
      model: 'lf-tid@1',
      design: { kind: 'grid', axes: { dose: doses, immuneKill: immuneKills } },
      cohort: { patients: 150, seed: 1601, chunkSize: 75 },
      params: { horizonDays: 730 },
      referenceArm: { dose: 0 },
    });
    sweepId = created.id;
    await harness.waitForSweep(sweepId, (s) => s.status === 'completed');
    const exported = await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes?format=ndjson`, {
      headers: harness.authHeaders,
    });
    rows = (await exported.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(doses.length * immuneKills.length * 150);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('serves stratified Cox hazard ratios equal to coxPh on the exported raw rows of the same arms', async () => {
    for (const endpoint of ['os', 'pfs']) {
      const { status, body } = await get(`hazard-ratios?endpoint=${endpoint}&groupBy=dose`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        sweepId,
        partial: false,
        endpoint,
        groupBy: 'dose',
        referenceArm: { dose: 0 },
        stratifiedBy: ['immuneKill'],
        strata: 2,
        ties: 'efron',
      });
      // coxph(Surv(t, e) ~ dose1 + dose2 + strata(immuneKill)) on the rows the export streams.
      const expected = coxPh({
        ...raw(rows, endpoint),
        covariates: {
          '1': rows.map((r) => (r.dose === 1 ? 1 : 0)),
          '2': rows.map((r) => (r.dose === 2 ? 1 : 0)),
        },
        strata: rows.map((r) => r.immuneKill as number),
      });
      expect(body.groups.map((g: { key: unknown }) => g.key)).toEqual(doses.map((dose) => ({ dose })));
      for (const [g, group] of body.groups.entries()) {
        const own = arm(doses[g]!);
        expect(group).toMatchObject({
          reference: g === 0,
          patients: 300,
          distinctPatients: 150,
          points: 2,
          events: own.filter((r) => r[`${endpoint}Event`]).length,
        });
        if (g === 0) {
          expect(group.hazardRatio).toBe(1);
          continue;
        }
        const term = expected.terms[g - 1]!;
        for (const field of ['hazardRatio', 'lower', 'upper', 'coef', 'se', 'pValue'] as const)
          close(group[field], term[field]);
      }
      close(body.likelihoodRatio.chiSq, expected.likelihoodRatio.chiSq);
      expect(body.likelihoodRatio.df).toBe(2);
      close(body.likelihoodRatio.pValue, expected.likelihoodRatio.pValue);
    }
  });

  it('compares arms against a reference given in the query, and refuses what it cannot answer by name', async () => {
    const { body } = await get('hazard-ratios?groupBy=dose&reference=2');
    expect(body.groups.map((g: { reference: boolean }) => g.reference)).toEqual([false, false, true]);
    expect(body.groups[2].hazardRatio).toBe(1);

    const unknownAxis = await get('hazard-ratios?groupBy=growthRate');
    expect(unknownAxis.status).toBe(400);
    expect(unknownAxis.body.error.details).toEqual([
      { path: 'querystring.groupBy', rule: "'growthRate' is not an axis of this sweep" },
    ]);
    const badReference = await get('hazard-ratios?groupBy=dose&reference=5');
    expect(badReference.status).toBe(400);
    expect(badReference.body.error.details).toEqual([
      { path: 'querystring.reference', rule: 'must be one of 0, 1, 2' },
    ]);
    // The referenceArm sets dose only: grouping by immuneKill needs a reference.
    const noReference = await get('hazard-ratios?groupBy=immuneKill');
    expect(noReference.status).toBe(422);
    expect(noReference.body.error.details[0].path).toBe('querystring.reference');
  });

  it('answers virtual-trial power equal to virtualTrialPower on the exported arms, the same for a seed', async () => {
    const query =
      'power?groupBy=dose&arm=2&patientsPerArm=40,120&replicates=200&accrualDays=180&followUpDays=365&seed=7';
    const { status, body } = await get(query);
    expect(status).toBe(200);
    const expected = virtualTrialPower({
      reference: raw(arm(0), 'os'),
      treatment: raw(arm(2), 'os'),
      patientsPerArm: [40, 120],
      alpha: 0.05,
      replicates: 200,
      accrualDays: 180,
      followUpDays: 365,
      seed: 7,
    });
    expect(body).toMatchObject({
      arm: { key: { dose: 2 }, patients: 300, distinctPatients: 150, points: 2 },
      reference: { key: { dose: 0 }, patients: 300, distinctPatients: 150, points: 2 },
      pooledAxes: ['immuneKill'],
      warnings: [],
    });
    close(body.hazardRatio, expected.hazardRatio);
    expect(body.rows.map((r: { rejections: number }) => r.rejections)).toEqual(
      expected.rows.map((r) => r.rejections),
    );
    for (const [i, row] of body.rows.entries()) {
      close(row.schoenfeld, expected.rows[i]!.schoenfeld);
      close(row.expectedEvents, expected.rows[i]!.expectedEvents);
    }
    expect((await get(query)).body).toEqual(body);
  });

  it('bounds the work of a power request, naming the limit', async () => {
    const tooMany = await get('power?groupBy=dose&arm=2&replicates=100001');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([
      { path: 'querystring.replicates', rule: 'at most 100000 (maxReplicates)' },
    ]);
    const tooMuch = await get('power?groupBy=dose&arm=2&replicates=100000&patientsPerArm=100,200');
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.details).toEqual([
      {
        path: 'querystring.replicates',
        rule: 'replicates × Σ 2 × patientsPerArm ≤ 50000000 (maxPatientDraws)',
      },
    ]);
    const same = await get('power?groupBy=dose&arm=0');
    expect(same.status).toBe(400);
    expect(same.body.error.details).toEqual([
      { path: 'querystring.arm', rule: 'must differ from the reference arm' },
    ]);
  });

  it('stratifies the survival log-rank of pooled groups by the pooled axes (survdiff + strata)', async () => {
    const { body } = await get('survival?groupBy=immuneKill');
    expect(body.comparison.stratifiedBy).toEqual(['dose']);
    const stratified = logRank(
      immuneKills.map((k) => {
        const own = rows.filter((r) => r.immuneKill === k);
        return { ...raw(own, 'os'), strata: own.map((r) => r.dose as number) };
      }),
    );
    close(body.comparison.logRank.chiSq, stratified.chiSq);
    close(body.comparison.logRank.pValue, stratified.pValue);
    expect(
      body.groups.map((g: { patients: number; distinctPatients: number }) => [
        g.patients,
        g.distinctPatients,
      ]),
    ).toEqual([
      [450, 150],
      [450, 150],
    ]);
  });

  it('/openapi.json documents both operations with their query parameters', async () => {
    const document = (await (await fetch(`${harness.apiUrl}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string }[] } }>;
    };
    const names = (path: string) => document.paths[path]?.get?.parameters?.map((p) => p.name).sort();
    expect(names('/v1/sweeps/{id}/hazard-ratios')).toEqual(['endpoint', 'groupBy', 'id', 'reference']);
    expect(names('/v1/sweeps/{id}/power')).toEqual(
      [
        'accrualDays',
        'alpha',
        'arm',
        'endpoint',
        'followUpDays',
        'groupBy',
        'id',
        'patientsPerArm',
        'reference',
        'replicates',
        'seed',
      ].sort(),
    );
  });
});
