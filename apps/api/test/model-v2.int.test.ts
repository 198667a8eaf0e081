import { type PointsResponse, pointsResponseSchema, recistResponses } from '@frontline/contracts';
import { outcomeColumns } from '@frontline/db';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';
import { expectRowsEqualTheModel } from './support/model-outcomes.js';

// lf-tid@2 end to end: spec → worker → outcome columns → exports → points and survival.
// A small cohort at a one-year horizon: the pipeline's handling of v2, not the model, is under test.
const doses = [0, 4, 16];
const patients = 40;

function doseSpec(model?: 'lf-tid@1' | 'lf-tid@2') {
  return {
    name: `doses on ${model ?? 'the default model'}`,
    ...(model ? { model } : {}),
    design: { kind: 'grid', axes: { dose: doses } },
    cohort: { patients, seed: 1515, chunkSize: 20 },
    params: { horizonDays: 365 },
  };
}

type ExportRow = Record<string, number | boolean | string>;

describe('lf-tid@2 sweeps end to end (real worker)', () => {
  let harness: Harness;
  let v2: { id: string };
  let v1: { id: string };
  beforeAll(async () => {
    harness = await startHarness();
    await harness.startWorker(2);
    // No `model`: a new sweep runs lf-tid@2.
    v2 = await harness.submit(doseSpec());
    v1 = await harness.submit(doseSpec('lf-tid@1'));
    for (const { id } of [v2, v1]) await harness.waitForSweep(id, (s) => s.status === 'completed');
  }, 240_000);
  afterAll(async () => {
    await harness?.stop();
  });

  const v2Columns = outcomeColumns.filter((c) => c.v2Only).map((c) => c.column);

  it('records the model and stores v2 outputs equal to simulateModelPatient, outcome for outcome', async () => {
    const { body: sweep } = await harness.request('GET', `/v1/sweeps/${v2.id}`);
    expect(sweep).toMatchObject({ modelId: 'lf-tid@2', spec: { model: 'lf-tid@2' } });
    const rows = await expectRowsEqualTheModel(harness, v2.id);
    expect(rows).toHaveLength(doses.length * patients);
    expect(new Set(rows.map((r) => r.model_id))).toEqual(new Set(['lf-tid@2']));
    expect(rows.filter((r) => v2Columns.some((c) => r[c] === null))).toEqual([]);
    // The v2 layers are live: no drug, no dose; at dose 16 the marrow reaches grade 4.
    const atDose = (i: number) => rows.filter((r) => r.point_index === i);
    expect(atDose(0).every((r) => r.cycles_received === 0 && r.worst_neutropenia_grade === 0)).toBe(true);
    expect(atDose(2).filter((r) => r.worst_neutropenia_grade === 4).length).toBeGreaterThan(patients / 2);
  });

  it('leaves a v1 sweep unchanged: v1 outcomes equal to lf-tid@1, v2 columns null', async () => {
    const { body: sweep } = await harness.request('GET', `/v1/sweeps/${v1.id}`);
    expect(sweep).toMatchObject({ modelId: 'lf-tid@1', spec: { model: 'lf-tid@1' } });
    const rows = await expectRowsEqualTheModel(harness, v1.id);
    expect(rows).toHaveLength(doses.length * patients);
    expect(new Set(rows.map((r) => r.model_id))).toEqual(new Set(['lf-tid@1']));
    for (const column of v2Columns) expect(rows.filter((r) => r[column] !== null)).toEqual([]);
  });

  it('never lets v1 and v2 points share outcomes: same axes, different hashes and points', async () => {
    const { rows } = await harness.pool.query<{ sweep_id: string; point_id: number; hash: string }>(
      `select sp.sweep_id, sp.point_id, p.hash from sweep_points sp join points p on p.id = sp.point_id
       where sp.sweep_id = any($1::uuid[])`,
      [[v1.id, v2.id]],
    );
    const of = (id: string) => rows.filter((r) => r.sweep_id === id);
    expect(of(v1.id)).toHaveLength(doses.length);
    expect(of(v2.id)).toHaveLength(doses.length);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(2 * doses.length);
    expect(new Set(rows.map((r) => r.point_id)).size).toBe(2 * doses.length);
    const { body } = await harness.request('GET', `/v1/sweeps/${v1.id}`);
    expect(body.progress).toMatchObject({ reused: 0 });
  });

  it('exports the v2 columns of a v2 sweep and only v1 columns of a v1 sweep', async () => {
    const [rows2, rows1] = await Promise.all([exportRows(v2.id), exportRows(v1.id)]);
    expect(rows2).toHaveLength(doses.length * patients);
    expect(Object.keys(rows2[0]!)).toEqual(['pointIndex', 'dose', ...outcomeColumns.map((c) => c.field)]);
    expect(Object.keys(rows1[0]!)).toEqual([
      'pointIndex',
      'dose',
      ...outcomeColumns.filter((c) => !c.v2Only).map((c) => c.field),
    ]);
    const responses = new Set(rows2.map((r) => r.recistBestResponse));
    expect([...responses].filter((r) => !(recistResponses as readonly unknown[]).includes(r))).toEqual([]);
    // The same rows in CSV and Parquet (types from the table: integers, booleans, RECIST as text).
    const fetchExport = (format: string) =>
      fetch(`${harness.apiUrl}/v1/sweeps/${v2.id}/outcomes?format=${format}`, {
        headers: harness.authHeaders,
      });
    const [header, ...lines] = (await (await fetchExport('csv')).text()).trimEnd().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual(Object.keys(rows2[0]!));
    const csvRows = lines.map((line) =>
      Object.fromEntries(
        line.split(',').map((cell, i) => {
          const value =
            cell === 'true' ? true : cell === 'false' ? false : /^[A-Z]+$/.test(cell) ? cell : Number(cell);
          return [columns[i]!, value];
        }),
      ),
    );
    expect(csvRows).toEqual(rows2);
    const parquetRows = await parquetReadObjects({
      file: await (await fetchExport('parquet')).arrayBuffer(),
    });
    expect(parquetRows.map((r) => ({ ...r, cohortSeed: Number(r.cohortSeed) }))).toEqual(rows2);
  });

  it('computes the points rows of a v2 sweep exactly from its outcomes; null trial fields for v1', async () => {
    const rows = await exportRows(v2.id);
    const page = await points(v2.id);
    expect(page.points).toHaveLength(doses.length);
    for (const point of page.points) {
      const of = rows.filter((r) => r.pointIndex === point.pointIndex);
      const count = (test: (r: ExportRow) => boolean) => of.filter(test).length;
      const treated = of.filter((r) => (r.cyclesReceived as number) > 0);
      expect(point).toMatchObject({
        patients,
        objectiveResponseRate: count((r) => r.objectiveResponse === true) / patients,
        toxicDeaths: count((r) => r.toxicDeath === true),
        toxicDeathFraction: count((r) => r.toxicDeath === true) / patients,
        grade4NeutropeniaRate: count((r) => r.worstNeutropeniaGrade === 4) / patients,
        recistBestResponse: Object.fromEntries(
          recistResponses.map((name) => [name, count((r) => r.recistBestResponse === name)]),
        ),
      });
      // A mean of doubles: Postgres may add them in another order than this sum, so to 1e-12.
      if (treated.length === 0) expect(point.meanDoseIntensity).toBeNull();
      else {
        const mean =
          treated.reduce((sum, r) => sum + (r.relativeDoseIntensity as number), 0) / treated.length;
        expect(point.meanDoseIntensity).toBeCloseTo(mean, 12);
      }
    }
    // The therapeutic window's ingredients: toxicity and response rise with dose from nothing at dose 0.
    const [none, standard, high] = page.points;
    expect(none).toMatchObject({
      objectiveResponseRate: 0,
      toxicDeaths: 0,
      grade4NeutropeniaRate: 0,
      meanDoseIntensity: null,
    });
    expect(standard!.objectiveResponseRate).toBeGreaterThan(0);
    expect(high!.grade4NeutropeniaRate).toBeGreaterThan(standard!.grade4NeutropeniaRate!);

    const v1Page = await points(v1.id);
    for (const point of v1Page.points) {
      expect(point).toMatchObject({
        patients,
        objectiveResponseRate: null,
        toxicDeaths: null,
        toxicDeathFraction: null,
        meanDoseIntensity: null,
        grade4NeutropeniaRate: null,
        recistBestResponse: null,
      });
    }
  });

  it('reads pfs of a v2 sweep as scan-based PFS, and of a v1 sweep as continuously observed PFS', async () => {
    const cases = [
      { sweep: v2, days: 'scanPfsDays', event: 'scanPfsEvent' },
      { sweep: v1, days: 'pfsDays', event: 'pfsEvent' },
    ];
    for (const { sweep, days, event } of cases) {
      const rows = await exportRows(sweep.id);
      const { status, body } = await harness.request('GET', `/v1/sweeps/${sweep.id}/survival?endpoint=pfs`);
      expect(status).toBe(200);
      for (const group of body.groups as {
        pointIndex: number;
        events: number;
        curve: { time: number[] };
      }[]) {
        const of = rows.filter((r) => r.pointIndex === group.pointIndex);
        expect(group.events).toBe(of.filter((r) => r[event] === true).length);
        const eventTimes = [...new Set(of.filter((r) => r[event] === true).map((r) => r[days] as number))];
        expect(group.curve.time.filter((t) => t > 0)).toEqual(expect.arrayContaining(eventTimes));
      }
    }
    // Scans every 42 days: a v2 progression is dated at a scan (or a death between scans).
    const v2Rows = await exportRows(v2.id);
    const scanDated = v2Rows.filter((r) => r.scanPfsEvent === true && (r.scanPfsDays as number) % 42 === 0);
    expect(scanDated.length).toBeGreaterThan(0);
  });

  async function exportRows(sweepId: string): Promise<ExportRow[]> {
    const response = await fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes?format=ndjson`, {
      headers: harness.authHeaders,
    });
    expect(response.status).toBe(200);
    return (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ExportRow);
  }

  async function points(sweepId: string): Promise<PointsResponse> {
    const { status, body } = await harness.request('GET', `/v1/sweeps/${sweepId}/points`);
    expect(status).toBe(200);
    return pointsResponseSchema.parse(body);
  }
});
