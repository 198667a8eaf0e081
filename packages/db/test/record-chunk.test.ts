import { survivalEndpoints } from '@frontline/contracts';
import { type ModelId, resolveModelParams, simulateCohort } from '@frontline/sim';
import { describe, expect, it } from 'vitest';
import { arrayLiteral, byteaArrayLiteral, byteaOfElement, literalElements } from '../src/array-literal.js';
import { outcomeColumns } from '../src/outcome-columns.js';
import type { OutcomeRecord } from '../src/outcome-values.js';
import { pointCounts, stepCounts } from '../src/tallies/chunk-tally.js';
import { numericSum } from '../src/tallies/numeric-sum.js';
import { packHistogram, packStepCounts, unpackStepCounts } from '../src/tallies/packed-counts.js';
import { type ChunkRecording, recordChunk } from '../src/tallies/record-chunk.js';
import { gridIndex, recordedOutcome } from '../src/tallies/time-grid.js';

// A chunk of three segments: a v1 point's patients 0–11, a v2 point's 0–8, the v1 point's 12–19 (a
// chunk spanning points, two segments sharing one), on different grids.
const v1 = { ...resolveModelParams('lf-tid@1'), stepDays: 0.25, horizonDays: 400 };
const v2 = { ...resolveModelParams('lf-tid@2'), stepDays: 0.5, horizonDays: 400 };
const segments = [
  { pointId: 7, model: 'lf-tid@1' as ModelId, params: v1, first: 0, count: 12 },
  { pointId: 3, model: 'lf-tid@2' as ModelId, params: v2, first: 0, count: 9 },
  { pointId: 7, model: 'lf-tid@1' as ModelId, params: v1, first: 12, count: 8 },
];
const simulated = (): OutcomeRecord[][] =>
  segments.map((s) => simulateCohort(s.model, s.params, 42, s.first, s.count) as OutcomeRecord[]);

const recordingOf = (retention: 'full' | 'summary'): ChunkRecording => ({
  sweepId: 'sweep-1',
  retention,
  segments: segments.map((s) => ({ pointId: s.pointId, stepDays: s.params.stepDays })),
  fields: outcomeColumns.map((c) => c.field),
});

/** What the worker's main thread computed before the thread recorded: recordedOutcome, counts, pg's array text. */
function mainThreadPath(outcomes: OutcomeRecord[][]) {
  const recorded = outcomes.map((records, i) =>
    records.map((r) => recordedOutcome(r, segments[i]!.params.stepDays)),
  );
  const pointIds = [...new Set(segments.map((s) => s.pointId))].sort((a, b) => a - b);
  const recordsOf = (pointId: number) =>
    recorded.flatMap((r, i) => (segments[i]!.pointId === pointId ? r : []));
  const stepDaysOf = (pointId: number) => segments.find((s) => s.pointId === pointId)!.params.stepDays;
  // pg's text for an element of a number/boolean array parameter (prepareValue, unquoted here).
  const pgElement = (v: number | boolean | null) => (v === null ? 'NULL' : String(v));
  const columns = outcomeColumns.map((c) =>
    recorded.flatMap((records, i) =>
      records.map((r) => {
        const v = c.value(r);
        return pgElement(c.gridTime && v !== null ? gridIndex(v as number, segments[i]!.params.stepDays) : v);
      }),
    ),
  );
  return {
    pointIds,
    survival: pointIds.flatMap((pointId) =>
      survivalEndpoints.map((endpoint) => {
        const counts = stepCounts(recordsOf(pointId), endpoint, stepDaysOf(pointId));
        return { endpoint, pointId, stepDays: stepDaysOf(pointId), counts, packed: packStepCounts(counts) };
      }),
    ),
    summaries: pointIds.map((pointId) => pointCounts(recordsOf(pointId))),
    rowPointIds: recorded.flatMap((records, i) => records.map(() => String(segments[i]!.pointId))),
    columns,
  };
}

/** A literal's elements as pg would have printed them (booleans as true/false). */
const elements = (literal: string) =>
  literal
    .slice(1, -1)
    .split(',')
    .map((e) => (e === 't' ? 'true' : e === 'f' ? 'false' : e));

describe('recording a chunk in the simulation thread', () => {
  for (const retention of ['full', 'summary'] as const)
    it(`gives the main thread's tallies, packed bytes and row values, across threads (${retention})`, () => {
      const old = mainThreadPath(simulated());
      // As the worker gets it: recorded in the thread, then structured-cloned across (Buffers arrive as Uint8Arrays).
      const recorded = structuredClone(recordChunk(recordingOf(retention), simulated()));
      expect(recorded.simulated).toBe(29);
      const tallies = recorded.tallies!;
      expect(tallies.sweepId).toBe('sweep-1');
      expect(tallies.pointIds).toEqual([3, 7]);
      // The insert's parameters, as the main thread built them from these counts before.
      const summaries = old.summaries;
      const doses = summaries[0]!.doseIntensities;
      expect(tallies.columns).toEqual({
        pointIds: '{3,7}',
        patients: '{9,20}',
        cured: arrayLiteral(summaries.map((c) => c.cured)),
        bestResponse: arrayLiteral(summaries.flatMap((c) => c.bestResponse)),
        leaderHistograms: byteaArrayLiteral(summaries.map((c) => packHistogram(c.leaderHistogram))),
        v2Patients: arrayLiteral(summaries.map((c) => c.v2Patients)),
        objectiveResponses: arrayLiteral(summaries.map((c) => c.objectiveResponses)),
        toxicDeaths: arrayLiteral(summaries.map((c) => c.toxicDeaths)),
        grade4Neutropenia: arrayLiteral(summaries.map((c) => c.grade4Neutropenia)),
        // Point 3 (v2) has its dosed patients' intensities, point 7 (v1) none.
        dosedPatients: `{${doses.length},0}`,
        doseIntensitySums: `{${numericSum(doses)},0}`,
        recistBestResponse: arrayLiteral(summaries.flatMap((c) => c.recistBestResponse)),
        stepDays: '{0.5,0.25}',
        survival: survivalEndpoints.map((endpoint) =>
          byteaArrayLiteral(old.survival.filter((t) => t.endpoint === endpoint).map((t) => t.packed)),
        ),
      });
      expect(doses.length).toBeGreaterThan(0);
      // Each packed table decodes to the counts of its point's recorded outcomes.
      for (const [j, endpoint] of survivalEndpoints.entries())
        literalElements(tallies.columns.survival[j]!).forEach((element, i) => {
          const counts = old.survival.find((t) => t.endpoint === endpoint && t.pointId === [3, 7][i])!.counts;
          const decoded = unpackStepCounts(byteaOfElement(element));
          expect([...decoded.steps, ...decoded.events, ...decoded.censored]).toEqual([
            ...counts.steps,
            ...counts.events,
            ...counts.censored,
          ]);
        });
      if (retention === 'summary') {
        expect(recorded.rows).toBeUndefined();
        return;
      }
      const rows = recorded.rows!;
      expect(rows.count).toBe(29);
      expect(elements(rows.pointIds)).toEqual(old.rowPointIds);
      expect(rows.columns.map(elements)).toEqual(old.columns);
      // v2-only columns are NULL in the v1 rows, filled in the v2 rows.
      const scans = rows.columns[outcomeColumns.findIndex((c) => c.field === 'scans')]!;
      expect(elements(scans).map((e) => e === 'NULL')).toEqual(
        [12, 9, 8].flatMap((n, i) => Array<boolean>(n).fill(i !== 1)),
      );
    });

  it('refuses outcomes that do not match the segments', () => {
    expect(() => recordChunk(recordingOf('summary'), simulated().slice(1))).toThrow(
      '2 outcome lists for 3 segments',
    );
  });
});
