import {
  chunkRecording,
  completeChunk,
  loadChunk,
  outcomeColumns,
  pointParamsOf,
  recordChunk,
} from '@frontline/db';
import { type ModelParams, simulatePatient } from '@frontline/sim';
import {
  kaplanMeier,
  logRank,
  medianSurvival,
  rmst,
  type SurvivalCurve,
  survivalEstimateAt,
} from '@frontline/stats';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.js';

/** JSON turns NaN (undefined S.E. / limits at S = 0) into null; compare through the same lens. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

const endpoints = ['os', 'pfs', 'mfs'] as const;
type Endpoint = (typeof endpoints)[number];

interface RawOutcome extends Record<string, unknown> {
  point_index: number;
  axis_values: Record<string, number>;
  patient_index: number;
}

/** A sweep's stored outcomes, read straight from the tables (not through any code under test); times in days (step × stepDays). */
async function rawOutcomes(harness: Harness, sweepId: string): Promise<RawOutcome[]> {
  const { rows } = await harness.pool.query(
    `select sp.point_index, sp.axis_values, o.*, o.os_step * g.step_days as os_days,
            o.pfs_step * g.step_days as pfs_days, o.mfs_step * g.step_days as mfs_days
     from sweep_points sp join sweeps s on s.id = sp.sweep_id
     join lateral (select (params->>'stepDays')::float8 as step_days from points where id = sp.point_id) g on true
     join outcomes o on o.point_id = sp.point_id and o.cohort_seed = s.cohort_seed and o.patient_index < s.patients
     where sp.sweep_id = $1 order by sp.point_index, o.patient_index`,
    [sweepId],
  );
  return rows;
}

const matching = (rows: RawOutcome[], key: Record<string, number>) =>
  rows.filter((r) => Object.entries(key).every(([axis, value]) => r.axis_values[axis] === value));

function rawCurve(rows: RawOutcome[], endpoint: Endpoint): SurvivalCurve {
  return kaplanMeier({
    time: rows.map((r) => r[`${endpoint}_days`] as number),
    event: rows.map((r) => r[`${endpoint}_event`] as boolean),
  });
}

/** Log-rank of raw groups; with `strataAxis`, stratified by that axis (survdiff(… + strata(axis))). */
const rawLogRank = (groups: RawOutcome[][], endpoint: Endpoint, strataAxis?: string) => {
  const { chiSq, df, pValue } = logRank(
    groups.map((rows) => ({
      time: rows.map((r) => r[`${endpoint}_days`] as number),
      event: rows.map((r) => r[`${endpoint}_event`] as boolean),
      ...(strataAxis ? { strata: rows.map((r) => r.axis_values[strataAxis]!) } : {}),
    })),
  );
  return { chiSq, df, pValue };
};

/** What the API must serve for a group, computed here from its raw rows with @frontline/stats. */
function expectedGroup(rows: RawOutcome[], endpoint: Endpoint, at: number[], tau: number) {
  const curve = rawCurve(rows, endpoint);
  const median = medianSurvival(curve, { rule: 'print' });
  const restricted = rmst(curve, tau);
  return viaJson({
    patients: rows.length,
    events: curve.events,
    curve: {
      time: curve.time,
      nRisk: curve.nRisk,
      nEvent: curve.nEvent,
      nCensor: curve.nCensor,
      survival: curve.survival,
      stdErr: curve.stdErr,
      lower: curve.lower,
      upper: curve.upper,
    },
    median: { value: median.median, lower: median.lower, upper: median.upper },
    survivalAt: Object.fromEntries(
      at.map((t) => {
        const { survival, stdErr, lower, upper } = survivalEstimateAt(curve, t);
        return [String(t), { survival, stdErr, lower, upper }];
      }),
    ),
    rmst: { tau, value: restricted.rmst, stdErr: restricted.stdErr },
  });
}

// A small grid at a short horizon: the API's arithmetic, not the model, is under test here. On
// lf-tid@1, whose `pfs` columns are the endpoint's (lf-tid@2's scan-based pfs: model-v2.int.test.ts).
const horizonDays = 180;
function gridSpec(seed: number, patients: number, extra: Record<string, unknown> = {}) {
  return {
    name: `results ${seed}`,
    model: 'lf-tid@1',
    design: { kind: 'grid', axes: { dose: [0, 2], immuneKill: [0.035, 0.35] } },
    cohort: { patients, seed, chunkSize: 60 },
    params: { horizonDays },
    referenceArm: { dose: 0 },
    ...extra,
  };
}

describe('survival results over the real stack', () => {
  let harness: Harness;
  let sweepId: string;
  let raw: RawOutcome[];
  const survival = async (query: string) => harness.request('GET', `/v1/sweeps/${sweepId}/survival?${query}`);

  beforeAll(async () => {
    harness = await startHarness();
    await harness.startWorker(2);
    const created = await harness.submit(gridSpec(6101, 120));
    sweepId = created.id;
    await harness.waitForSweep(sweepId, (s) => s.status === 'completed');
    raw = await rawOutcomes(harness, sweepId);
    expect(raw).toHaveLength(4 * 120);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it("serves, for each group, exactly kaplanMeier of that group's raw outcomes (every endpoint)", async () => {
    for (const endpoint of endpoints) {
      const { status, body } = await survival(`endpoint=${endpoint}&groupBy=dose`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        sweepId,
        endpoint,
        groupBy: ['dose'],
        partial: false,
        status: 'completed',
      });
      expect(body.groups.map((g: { key: unknown }) => g.key)).toEqual([{ dose: 0 }, { dose: 2 }]);
      for (const group of body.groups) {
        const rows = matching(raw, group.key);
        expect(rows).toHaveLength(240);
        const { logRank: _logRank, key: _key, points, distinctPatients, ...served } = group;
        // 2 points of the same 120 virtual patients (common random numbers).
        expect([points, distinctPatients]).toEqual([2, 120]);
        expect(served).toEqual(expectedGroup(rows, endpoint, [365, 730], horizonDays));
      }
    }
  });

  it('pools over the axes not grouped by; without groupBy every point is its own group', async () => {
    const both = (await survival('groupBy=dose,immuneKill')).body;
    expect(both.groups.map((g: { key: unknown; patients: number }) => [g.key, g.patients])).toEqual([
      [{ dose: 0, immuneKill: 0.035 }, 120],
      [{ dose: 0, immuneKill: 0.35 }, 120],
      [{ dose: 2, immuneKill: 0.035 }, 120],
      [{ dose: 2, immuneKill: 0.35 }, 120],
    ]);
    const byImmune = (await survival('groupBy=immuneKill')).body;
    for (const group of byImmune.groups) {
      const rows = matching(raw, group.key);
      expect(group.patients).toBe(240);
      expect(group.curve).toEqual(expectedGroup(rows, 'os', [365, 730], horizonDays).curve);
    }
    const perPoint = (await survival('')).body;
    expect(perPoint.groupBy).toEqual([]);
    expect(perPoint.groups).toHaveLength(4);
    for (const [index, group] of perPoint.groups.entries()) {
      expect(group.pointIndex).toBe(index);
      const rows = raw.filter((r) => r.point_index === index);
      expect(group.key).toEqual(rows[0]!.axis_values);
      expect(group.curve).toEqual(expectedGroup(rows, 'os', [365, 730], horizonDays).curve);
    }
  });

  it("tests each group against the referenceArm's matching group, or all groups together", async () => {
    const { body } = await survival('endpoint=pfs&groupBy=dose,immuneKill');
    expect(body.comparison).toEqual({ method: 'referenceArm', referenceArm: { dose: 0 }, stratifiedBy: [] });
    for (const group of body.groups) {
      if (group.key.dose === 0) {
        expect(group.logRank).toBeNull();
        continue;
      }
      const reference = matching(raw, { dose: 0, immuneKill: group.key.immuneKill });
      const expected = rawLogRank([reference, matching(raw, group.key)], 'pfs');
      expect(group.logRank).toEqual(viaJson(expected));
      expect(group.logRank.df).toBe(1);
    }
    // Grouping by immuneKill alone pools both doses in every group: no reference group, one k-group test,
    // stratified by dose (both doses hold the same 120 patients).
    const pooled = (await survival('groupBy=immuneKill')).body;
    const overall = rawLogRank(
      pooled.groups.map((g: { key: Record<string, number> }) => matching(raw, g.key)),
      'os',
      'dose',
    );
    expect(pooled.comparison).toMatchObject({
      method: 'allGroups',
      stratifiedBy: ['dose'],
      logRank: viaJson(overall),
    });
    for (const group of pooled.groups) expect(group.logRank).toEqual(viaJson(overall));
  });

  it('thins long curves to maxPoints rows without changing the values at the returned times', async () => {
    const full = (await survival('endpoint=pfs&groupBy=dose')).body.groups[0].curve;
    expect(full.time.length).toBeGreaterThan(20);
    const thin = (await survival('endpoint=pfs&groupBy=dose&maxPoints=10')).body.groups[0].curve;
    expect(thin.time).toHaveLength(10);
    expect(thin.thinnedFrom).toBe(full.time.length);
    expect(thin.time[0]).toBe(full.time[0]);
    expect(thin.time[9]).toBe(full.time.at(-1));
    for (const [i, t] of thin.time.entries()) {
      const row = full.time.indexOf(t);
      expect(row).toBeGreaterThanOrEqual(0);
      for (const field of ['nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper'])
        expect(thin[field][i]).toBe(full[field][row]);
    }
  });

  it('reads S(t) at the times asked for with at=', async () => {
    const { body } = await survival('groupBy=dose&at=30,90.5,180');
    for (const group of body.groups) {
      const expected = expectedGroup(matching(raw, group.key), 'os', [30, 90.5, 180], horizonDays);
      expect(Object.keys(group.survivalAt).sort()).toEqual(['180', '30', '90.5']);
      expect(group.survivalAt).toEqual(expected.survivalAt);
    }
  });

  it('lists every point with its medians, S(365/730), RMST, cure, leader fraction and responses', async () => {
    const { status, body } = await harness.request('GET', `/v1/sweeps/${sweepId}/points`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ sweepId, partial: false, axes: ['dose', 'immuneKill'] });
    expect(body.points).toHaveLength(4);
    for (const point of body.points) {
      const rows = raw.filter((r) => r.point_index === point.pointIndex);
      expect(point.axisValues).toEqual(rows[0]!.axis_values);
      expect(point.patients).toBe(120);
      for (const endpoint of ['os', 'pfs'] as const) {
        const expected = expectedGroup(rows, endpoint, [365, 730], horizonDays);
        expect(point[endpoint]).toEqual({
          median: expected.median,
          at365: expected.survivalAt['365']!.survival,
          at730: expected.survivalAt['730']!.survival,
          rmst: expected.rmst.value,
        });
      }
      const leader = rows.map((r) => r.leader_fraction_at_diagnosis as number).sort((a, b) => a - b);
      // From the point summary's histogram: within one bin width (0.001) of the exact median (docs/results.md).
      const exactMedian = (leader[59]! + leader[60]!) / 2;
      expect(Math.abs(point.medianLeaderFractionAtDiagnosis - exactMedian)).toBeLessThanOrEqual(0.001);
      expect(point.curedFraction).toBeCloseTo(rows.filter((r) => r.cured).length / 120, 12);
      const responses = ['CR', 'PR', 'SD', 'PD'].map(
        (_, code) => rows.filter((r) => r.best_response === code).length,
      );
      expect(point.bestResponse).toEqual({
        CR: responses[0],
        PR: responses[1],
        SD: responses[2],
        PD: responses[3],
      });
      expect(responses.reduce((a, b) => a + b)).toBe(120);
    }
  });

  it('exports every outcome with its axis values as CSV, NDJSON and Parquet, equal to the stored rows', async () => {
    const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const expected = raw.map((r) => {
      const row: Record<string, unknown> = {
        pointIndex: r.point_index,
        dose: r.axis_values.dose,
        immuneKill: r.axis_values.immuneKill,
      };
      for (const [column, value] of Object.entries(r)) {
        if (['point_index', 'axis_values', 'point_id'].includes(column)) continue;
        // Times are stored as grid steps and exported in days (os_days = os_step × stepDays, read above).
        if (column.endsWith('_step')) continue;
        // lf-tid@2's columns, null in these lf-tid@1 rows, are not in a v1 sweep's export.
        if (value === null) continue;
        row[camel(column)] = column === 'best_response' ? ['CR', 'PR', 'SD', 'PD'][value as number] : value;
      }
      return row;
    });
    // The model's field order (schema.ts), whatever order the columns lie in on disk (migration 0010).
    const columns = [
      'pointIndex',
      'dose',
      'immuneKill',
      ...outcomeColumns.filter((c) => !c.v2Only).map((c) => c.field),
    ];
    expect(Object.keys(expected[0]!).sort()).toEqual([...columns].sort());

    const fetchExport = (format: string) =>
      fetch(`${harness.apiUrl}/v1/sweeps/${sweepId}/outcomes?format=${format}`, {
        headers: harness.authHeaders,
      });
    const csv = await fetchExport('csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('x-frontline-partial')).toBe('false');
    const [header, ...lines] = (await csv.text()).trimEnd().split('\n');
    expect(header!.split(',')).toEqual(columns);
    const csvRows = lines.map((line) =>
      Object.fromEntries(
        line.split(',').map((cell, i) => {
          const value =
            cell === 'true' ? true : cell === 'false' ? false : /^[A-Z]+$/.test(cell) ? cell : Number(cell);
          return [columns[i]!, value];
        }),
      ),
    );
    expect(csvRows).toEqual(expected);

    const ndjson = await fetchExport('ndjson');
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const ndjsonRows = (await ndjson.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(ndjsonRows).toEqual(expected);

    const parquet = await fetchExport('parquet');
    expect(parquet.headers.get('content-disposition')).toBe(
      `attachment; filename="sweep-${sweepId}.parquet"`,
    );
    const parquetRows = await parquetReadObjects({ file: await parquet.arrayBuffer() });
    expect(parquetRows.map((r) => ({ ...r, cohortSeed: Number(r.cohortSeed) }))).toEqual(expected);
    expect(Object.keys(parquetRows[0]!)).toEqual(columns);
  });

  it('answers 404 for an unknown sweep and 400 naming a bad endpoint, axis, time list or format', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const path of ['survival', 'points', 'outcomes']) {
      const { status, body } = await harness.request('GET', `/v1/sweeps/${unknown}/${path}`);
      expect(status).toBe(404);
      expect(body.error).toMatchObject({ code: 'not_found', message: `no sweep ${unknown}` });
    }
    const badEndpoint = await survival('endpoint=dfs');
    expect(badEndpoint.status).toBe(400);
    expect(badEndpoint.body.error.details).toEqual([
      { path: 'querystring.endpoint', rule: 'must be one of os, pfs, mfs' },
    ]);
    const badAxis = await survival('groupBy=dose,growthRate');
    expect(badAxis.status).toBe(400);
    expect(badAxis.body.error.message).toBe(
      "unknown axis 'growthRate' in groupBy; this sweep's axes are: dose, immuneKill",
    );
    expect(badAxis.body.error.details).toEqual([
      { path: 'querystring.groupBy', rule: "'growthRate' is not an axis of this sweep" },
    ]);
    const badTimes = await survival('at=365,soon');
    expect(badTimes.status).toBe(400);
    expect(badTimes.body.error.details[0].path).toMatch(/^querystring\.at/);
    const badMaxPoints = await survival('maxPoints=1');
    expect(badMaxPoints.status).toBe(400);
    expect(badMaxPoints.body.error.details[0].path).toBe('querystring.maxPoints');
    const badFormat = await harness.request('GET', `/v1/sweeps/${sweepId}/outcomes?format=xlsx`);
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.details).toEqual([
      { path: 'querystring.format', rule: 'must be one of csv, parquet, ndjson' },
    ]);
  });
});

describe('partial results while a sweep runs', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(); // no worker: only the chunk completed below gets done
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('serves the outcomes stored so far, flagged partial: true', async () => {
    const created = await harness.submit(
      gridSpec(6102, 50, { cohort: { patients: 50, seed: 6102, chunkSize: 25 } }),
    );
    const empty = await harness.request('GET', `/v1/sweeps/${created.id}/survival?groupBy=dose,immuneKill`);
    expect(empty.body.partial).toBe(true);
    expect(empty.body.groups.map((g: { patients: number }) => g.patients)).toEqual([0, 0, 0, 0]);
    expect(empty.body.groups[0].curve.time).toEqual([]);

    // Play a worker for the first chunk only: 25 patients of point 0.
    const chunk = (await loadChunk(harness.pool, created.id, 0))!;
    const [segment] = chunk.segments;
    expect(chunk.segments).toHaveLength(1);
    const outcomes = [];
    for (let i = segment!.patientStart; i < segment!.patientEnd; i++)
      outcomes.push(
        simulatePatient(pointParamsOf(segment!.point) as ModelParams, {
          cohortSeed: chunk.cohortSeed,
          patientIndex: i,
        }),
      );
    await completeChunk(
      harness.pool,
      { sweepId: created.id, chunkIndex: 0, workerHost: 'test' },
      recordChunk(chunkRecording(created.id, chunk), [structuredClone(outcomes)]),
    );

    const { body } = await harness.request(
      'GET',
      `/v1/sweeps/${created.id}/survival?groupBy=dose,immuneKill`,
    );
    expect(body.partial).toBe(true);
    expect(body.groups.map((g: { patients: number }) => g.patients)).toEqual([25, 0, 0, 0]);
    const rows = await rawOutcomes(harness, created.id);
    expect(rows).toHaveLength(25);
    const { logRank: _l, key: _k, points: _p, distinctPatients, ...served } = body.groups[0];
    // Partial: the distinct patients are those with outcomes so far.
    expect(distinctPatients).toBe(25);
    expect(served).toEqual(expectedGroup(rows, 'os', [365, 730], horizonDays));
    const points = await harness.request('GET', `/v1/sweeps/${created.id}/points`);
    expect(points.body.partial).toBe(true);
    expect(points.body.points.map((p: { patients: number }) => p.patients)).toEqual([25, 0, 0, 0]);
    expect(points.body.points[1]).toMatchObject({ curedFraction: null, os: { median: { value: null } } });
    const csv = await fetch(`${harness.apiUrl}/v1/sweeps/${created.id}/outcomes?format=csv`, {
      headers: harness.authHeaders,
    });
    expect(csv.headers.get('x-frontline-partial')).toBe('true');
    expect((await csv.text()).trimEnd().split('\n')).toHaveLength(1 + 25);
  });
});

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 on erf; |error| < 1.5e-7, far below the tolerance). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

describe('science end to end: MODEL.md V1 through API, queue, workers and Postgres', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.startWorker(2);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('gives the analytic log-normal death-time curve within Monte Carlo error', async () => {
    const patients = 2000;
    const created = await harness.submit({
      name: 'V1 exponential growth, log-normal rate',
      design: { kind: 'grid', axes: { dose: [0] } },
      cohort: { patients, seed: 6103, chunkSize: 250 },
      params: {
        seedingRate: 0,
        emtPlasticity: 0,
        immuneKill: 0,
        capacityPrimary: 1e30,
        capacityMetastatic: 1e30,
        startCells: 1e10,
        diagnosisCells: 1e10,
        diagnosisCellsSigma: 0,
        lethalCells: 1e12,
        growthRate: 0.025,
        growthRateSigma: 0.4,
      },
    });
    await harness.waitForSweep(created.id, (s) => s.status === 'completed');
    const { body } = await harness.request(
      'GET',
      `/v1/sweeps/${created.id}/survival?endpoint=os&at=90,150,180,200,250,365`,
    );
    const [group] = body.groups;
    expect(group.patients).toBe(patients);

    // Death at N = 1e12 from 1e10 growing at r: T = ln(100)/r, r log-normal (median 0.025, σ 0.4).
    const median = Math.log(100) / 0.025;
    const analytic = (t: number) => 1 - normalCdf(Math.log(t / median) / 0.4);
    expect(analytic(180)).toBeCloseTo(0.523, 3);
    expect(analytic(365)).toBeCloseTo(0.0437, 4);
    for (const t of [90, 150, 180, 200, 250, 365]) {
      const s = analytic(t);
      const tolerance = 4 * Math.sqrt((s * (1 - s)) / patients) + 1e-3;
      expect(Math.abs(group.survivalAt[String(t)].survival - s), `S(${t})`).toBeLessThan(tolerance);
    }
    // Median: SE ≈ 1 / (2 f(m) √n) with the log-normal density at its median f(m) = 1 / (m σ √(2π)).
    const medianSe = (median * 0.4 * Math.sqrt(2 * Math.PI)) / (2 * Math.sqrt(patients));
    expect(Math.abs(group.median.value - 184.2)).toBeLessThan(4 * medianSe);
    expect(group.median.lower).toBeLessThan(group.median.value);
    expect(group.median.upper).toBeGreaterThan(group.median.value);
  });
});
