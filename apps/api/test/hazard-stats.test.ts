/**
 * The statistics behind /hazard-ratios and /power, on synthetic count tables shaped as the database
 * delivers them: cells of exponential virtual patients (common random numbers: the same uniforms in every
 * cell and arm), censored at a horizon. Power is validated against α (identical arms) and against the
 * exact Schoenfeld power of exponential arms of known hazard ratio, within Monte Carlo error.
 */
import type { TimeCounts } from '@frontline/db';
import { coxPh, normalCdf, seededUniform } from '@frontline/stats';
import { describe, expect, it } from 'vitest';
import type { CellCounts } from '../src/group-cells.js';
import { armPower, hazardRatios } from '../src/hazard-stats.js';

const horizonDays = 3650;

/** The same virtual patients (uniforms) with exponential times of the given median, censored at the horizon. */
function uniforms(n: number, seed: number): number[] {
  const uniform = seededUniform(seed);
  return Array.from({ length: n }, () => uniform());
}
function exponentialRows(u: readonly number[], medianDays: number) {
  const rate = Math.LN2 / medianDays;
  const time = u.map((x) => Math.min(horizonDays, -Math.log(1 - x) / rate));
  return { time, event: time.map((t) => t < horizonDays) };
}
/** A count table as the database aggregates it: distinct times ascending, events and censorings at each. */
function countTable(rows: { time: number[]; event: boolean[] }): TimeCounts {
  const byTime = new Map<number, [number, number]>();
  rows.time.forEach((t, i) => {
    const cell = byTime.get(t) ?? [0, 0];
    cell[rows.event[i] ? 0 : 1]++;
    byTime.set(t, cell);
  });
  const times = [...byTime.keys()].sort((a, b) => a - b);
  return {
    time: Float64Array.from(times),
    nEvent: Int32Array.from(times.map((t) => byTime.get(t)![0])),
    nCensor: Int32Array.from(times.map((t) => byTime.get(t)![1])),
  };
}

/** Arms × strata of the same patients: cell (arm g, stratum s) has median baseline[s] / hazardRatio[g]. */
function cells(u: readonly number[], baselines: readonly number[], hazardRatios: readonly number[]) {
  const counts: TimeCounts[] = [];
  const group: number[] = [];
  const stratum: number[] = [];
  const raw: { time: number[]; event: boolean[]; arm: number[]; stratum: number[] } = {
    time: [],
    event: [],
    arm: [],
    stratum: [],
  };
  hazardRatios.forEach((hr, g) => {
    baselines.forEach((median, s) => {
      const rows = exponentialRows(u, median / hr);
      counts.push(countTable(rows));
      group.push(g);
      stratum.push(s);
      raw.time.push(...rows.time);
      raw.event.push(...rows.event);
      raw.arm.push(...rows.time.map(() => g));
      raw.stratum.push(...rows.time.map(() => s));
    });
  });
  return { cells: { counts, group, stratum, cohortPatients: u.length } satisfies CellCounts, raw };
}

const design = { alpha: 0.05, accrualDays: 365, followUpDays: 365, replicates: 1000, seed: 16 };
const monteCarloError = (p: number, r: number) => Math.sqrt((p * (1 - p)) / r);
/** P(event seen by the analysis) for exponential times, uniform entry over A, analysis at A + F. */
const eventShare = (rate: number, a: number, f: number) =>
  1 - (Math.exp(-rate * f) - Math.exp(-rate * (a + f))) / (rate * a);

describe('virtual-trial power of two arms, from count tables', () => {
  const validation: string[] = [
    '| arms | n/arm | power (95% CI) | exact | |Δ|/SE |',
    '|---|---|---|---|---|',
  ];
  const record = (
    arms: string,
    row: { patientsPerArm: number; power: number; lower: number; upper: number },
    exact: number,
  ) =>
    validation.push(
      `| ${arms} | ${row.patientsPerArm} | ${row.power.toFixed(4)} (${row.lower.toFixed(3)}–${row.upper.toFixed(3)}) | ${exact.toFixed(4)} | ${(Math.abs(row.power - exact) / monteCarloError(exact, design.replicates)).toFixed(2)} |`,
    );

  it('with identical arms (3 pooled strata of the same patients), rejects at α within its interval', () => {
    const { cells: identical } = cells(uniforms(3000, 1), [200, 365, 700], [1, 1]);
    const result = armPower({
      ...design,
      kind: 'power',
      cells: identical,
      groups: 2,
      arm: 1,
      reference: 0,
      patientsPerArm: [50, 200, 400],
    });
    expect(result.hazardRatio).toBe(1);
    expect(result.arms).toEqual([
      { patients: 9000, distinctPatients: 3000, events: result.arms[0]!.events },
      { patients: 9000, distinctPatients: 3000, events: result.arms[0]!.events },
    ]);
    for (const row of result.rows) {
      record('identical', row, design.alpha);
      expect(row.lower).toBeLessThanOrEqual(design.alpha);
      expect(row.upper).toBeGreaterThanOrEqual(design.alpha);
      expect(Math.abs(row.power - design.alpha)).toBeLessThan(
        3 * monteCarloError(design.alpha, design.replicates),
      );
    }
  });

  it('with exponential arms of hazard ratio 0.6, agrees with the exact Schoenfeld power within Monte Carlo error', () => {
    const hazardRatio = 0.6;
    const median = 365;
    const { cells: arms } = cells(uniforms(40_000, 2), [median], [1, hazardRatio]);
    const result = armPower({
      ...design,
      kind: 'power',
      cells: arms,
      groups: 2,
      arm: 1,
      reference: 0,
      patientsPerArm: [40, 80, 160],
    });
    expect(Math.abs(Math.log((result.hazardRatio as number) / hazardRatio))).toBeLessThan(0.02);
    const rate = Math.LN2 / median;
    for (const row of result.rows) {
      const events =
        row.patientsPerArm *
        (eventShare(rate, design.accrualDays, design.followUpDays) +
          eventShare(rate * hazardRatio, design.accrualDays, design.followUpDays));
      const exact = normalCdf(-Math.log(hazardRatio) * Math.sqrt(events / 4) - 1.959963984540054);
      record('HR 0.6', row, exact);
      // Schoenfeld is itself an approximation: 3 Monte Carlo SE plus 0.03 for the formula.
      expect(Math.abs(row.power - exact)).toBeLessThan(3 * monteCarloError(exact, design.replicates) + 0.03);
      expect(Math.abs((row.schoenfeld as number) - exact)).toBeLessThan(0.02);
    }
    console.log(`[power validation] ${design.replicates} replicates, α = 0.05\n${validation.join('\n')}`);
  });
});

describe('hazard ratios of arms pooled over strata', () => {
  it('equal coxPh on the raw rows with strata(), and recover the hazard ratio the pooled fit attenuates', () => {
    const { cells: arms, raw } = cells(uniforms(2000, 3), [150, 400, 1200], [1, 0.6, 0.8]);
    const stratified = hazardRatios({
      kind: 'hazardRatios',
      cells: arms,
      groups: 3,
      reference: 0,
      stratified: true,
    });
    const expected = coxPh({
      time: raw.time,
      event: raw.event,
      covariates: { a1: raw.arm.map((g) => (g === 1 ? 1 : 0)), a2: raw.arm.map((g) => (g === 2 ? 1 : 0)) },
      strata: raw.stratum,
    });
    expect(stratified.strata).toBe(3);
    expect(stratified.rows[0]).toMatchObject({ hazardRatio: 1, patients: 6000, distinctPatients: 2000 });
    for (const g of [1, 2]) {
      const term = expected.terms[g - 1]!;
      for (const field of ['hazardRatio', 'lower', 'upper', 'se', 'pValue'] as const)
        expect(stratified.rows[g]![field]).toBeCloseTo(term[field], 9);
    }
    expect(stratified.likelihoodRatio!.chiSq).toBeCloseTo(expected.likelihoodRatio.chiSq, 6);
    // Common random numbers: every arm is the same patients, so the stratified HR is the true one almost exactly.
    expect(stratified.rows[1]!.hazardRatio).toBeCloseTo(0.6, 2);
    expect(stratified.rows[2]!.hazardRatio).toBeCloseTo(0.8, 2);
    // Pooling strata of different baselines without strata() mixes populations: the HR moves towards 1.
    const pooled = hazardRatios({
      kind: 'hazardRatios',
      cells: arms,
      groups: 3,
      reference: 0,
      stratified: false,
    });
    expect(pooled.rows[1]!.hazardRatio as number).toBeGreaterThan(0.62);
  });

  it('draws no trials, with a warning, when the arms have no events yet', () => {
    const censored: TimeCounts = {
      time: Float64Array.of(120),
      nEvent: Int32Array.of(0),
      nCensor: Int32Array.of(12),
    };
    const cells: CellCounts = {
      counts: [censored, censored],
      group: [0, 1],
      stratum: [0, 0],
      cohortPatients: 12,
    };
    const result = armPower({
      ...design,
      kind: 'power',
      cells,
      groups: 2,
      arm: 1,
      reference: 0,
      patientsPerArm: [10],
    });
    expect(result.rows).toEqual([]);
    expect(result.hazardRatio).toBeNull();
    expect(result.warnings).toHaveLength(1);
    expect(result.arms).toEqual([
      { patients: 12, distinctPatients: 12, events: 0 },
      { patients: 12, distinctPatients: 12, events: 0 },
    ]);
  });

  it('reports an arm without outcomes and a reference without outcomes instead of failing', () => {
    const { cells: arms } = cells(uniforms(100, 4), [300], [1, 0.7]);
    const empty: TimeCounts = {
      time: new Float64Array(0),
      nEvent: new Int32Array(0),
      nCensor: new Int32Array(0),
    };
    const withEmpty: CellCounts = {
      ...arms,
      counts: [...arms.counts, empty],
      group: [0, 1, 2],
      stratum: [0, 0, 0],
    };
    const result = hazardRatios({
      kind: 'hazardRatios',
      cells: withEmpty,
      groups: 3,
      reference: 0,
      stratified: false,
    });
    expect(result.rows[2]).toMatchObject({ patients: 0, hazardRatio: null, pValue: null });
    expect(result.rows[1]!.hazardRatio).not.toBeNull();
    const noReference = hazardRatios({
      kind: 'hazardRatios',
      cells: withEmpty,
      groups: 3,
      reference: 2,
      stratified: false,
    });
    expect(noReference.warnings).toEqual(['the reference arm has no outcomes yet']);
    expect(noReference.rows.every((row) => row.hazardRatio === null)).toBe(true);
  });
});
