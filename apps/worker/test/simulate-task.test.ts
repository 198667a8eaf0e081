import { serialize } from 'node:v8';
import { recordChunk } from '@frontline/db/record-chunk';
import {
  type ModelId,
  modelParamsResolver,
  ParamError,
  type ParamsOf,
  resolveModelParams,
  simulateCohort,
} from '@frontline/sim';
import { describe, expect, it } from 'vitest';
import simulateChunk, {
  chunkTask,
  type SimulateSegment,
  type StoredSegment,
  taskSegments,
} from '../src/simulate-task.js';

const resolvePoint = modelParamsResolver('lf-tid@2', { doseDays: [0, 21, 42], cycles: 3 });
const v2Points = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    resolvePoint({ dose: (i % 97) / 10, immuneKill: 0.01 + (i % 89) / 500 }),
  );
const segmentsOf = (points: readonly ParamsOf<ModelId>[], modelId: ModelId = 'lf-tid@2', patients = 2) =>
  points.map((params, i) => ({ modelId, params, patientStart: i, patientEnd: i + patients }));
const recordingOf = (segments: readonly SimulateSegment[]) => ({
  sweepId: 'task',
  retention: 'summary' as const,
  segments: segments.map((s, i) => ({ pointId: i + 1, stepDays: s.params.stepDays })),
  fields: [],
});
/** As piscina hands a task to a thread. */
const crossed = <T>(task: T): T => structuredClone(task);

describe('chunkTask: a chunk crosses to its thread as one base and each point’s differences', () => {
  it('gives the thread every segment’s params whole again, equal to the main thread’s', () => {
    const points: ParamsOf<ModelId>[] = v2Points(20);
    // The same schedule in an array of its own (as two bases read from Postgres give): no difference.
    points.push({ ...points[3]!, doseDays: [0, 21, 42] } as ParamsOf<ModelId>);
    // Another schedule: a difference, resolved through the whole check.
    points.push(resolveModelParams('lf-tid@2', { doseDays: [0, 14, 28, 42], cycles: 4 }));
    const segments: SimulateSegment[] = segmentsOf(points);
    // A point of another model, and one naming another parameter in place of one of the base's: whole.
    segments.push({
      modelId: 'lf-tid@1',
      params: resolveModelParams('lf-tid@1'),
      patientStart: 0,
      patientEnd: 1,
    });
    const { infusionHours: _, ...renamed } = { ...points[5]!, cycleDays: 21 } as Record<string, unknown>;
    segments.push({ ...segments[5]!, params: renamed as unknown as ParamsOf<ModelId> });
    const task = chunkTask(7, segments, recordingOf(segments));
    expect(task.segments.map((s) => s.whole)).toEqual([...points.map(() => false), true, true]);
    expect(task.segments[1]!.params).toStrictEqual({
      dose: points[1]!.dose,
      immuneKill: points[1]!.immuneKill,
    });
    expect(task.segments[20]!.params).toStrictEqual({
      dose: points[20]!.dose,
      immuneKill: points[20]!.immuneKill,
    });
    expect(Object.keys(task.segments[21]!.params).sort()).toEqual([
      'cycles',
      'dose',
      'doseDays',
      'immuneKill',
    ]);
    expect(taskSegments(crossed(task))).toStrictEqual(
      segments.map((s) => ({ ...s, params: { ...s.params } })),
    );
  });

  it('simulates bit-identically to the segments run whole', () => {
    const segments = segmentsOf(v2Points(40), 'lf-tid@2', 3);
    const recording = recordingOf(segments);
    const direct = recordChunk(
      recording,
      segments.map((s) =>
        simulateCohort(s.modelId, s.params, 11, s.patientStart, s.patientEnd - s.patientStart),
      ),
    );
    expect(simulateChunk(crossed(chunkTask(11, segments, recording)))).toStrictEqual(direct);
  });

  it('is a tenth of the size of the segments cloned whole (1,000 two-patient points)', () => {
    const segments = segmentsOf(v2Points(1_000));
    const whole = serialize({ cohortSeed: 1, segments }).length;
    const task = serialize(chunkTask(1, segments, recordingOf([]))).length;
    expect(task).toBeLessThan(whole / 10);
  });

  it('still refuses a point whose stored params break a rule, with the parameter named', () => {
    const [base, bad] = v2Points(2);
    const segments = segmentsOf([base!, { ...bad!, dose: -1 }]);
    const task = crossed(chunkTask(1, segments, recordingOf(segments)));
    expect(() => taskSegments(task)).toThrow(ParamError);
    expect(() => taskSegments(task)).toThrow(/dose/);
  });

  it('sends points as loaded (their stored base and differences) as they are, and others compared', () => {
    const shared = { doseDays: [0, 21, 42], cycles: 3 };
    // One object per base, as loadChunk gives it; another base (a point stored by an older sweep), which
    // differs in a parameter the point's stored differences do not name.
    const base = Object.freeze({ ...resolveModelParams('lf-tid@2', shared) }) as Readonly<
      Record<string, unknown>
    >;
    const otherBase = Object.freeze({ ...structuredClone(base), horizonDays: 900 });
    const points: ParamsOf<ModelId>[] = v2Points(6);
    points[4] = { ...points[4]!, horizonDays: 900 } as ParamsOf<ModelId>;
    const stored: StoredSegment[] = points.map((p, i) => ({
      modelId: 'lf-tid@2',
      base: i === 4 ? otherBase : base,
      changes: { dose: p.dose, immuneKill: p.immuneKill },
      patientStart: 2 * i,
      patientEnd: 2 * i + 2,
    }));
    // A point stored whole (no base).
    stored[5] = { ...stored[5]!, base: undefined, changes: { ...points[5]! } };
    const task = chunkTask(3, stored, recordingOf(segmentsOf(points)));
    expect(task.base).toBe(base);
    expect(task.segments.map((s) => s.whole)).toEqual([false, false, false, false, false, false]);
    // Sent as stored: the same object, neither copied nor compared.
    expect(task.segments[1]!.params).toBe(stored[1]!.changes);
    // Another base and no base: compared with the task's base, the same differences.
    expect(task.segments[4]!.params).toStrictEqual({ ...stored[4]!.changes, horizonDays: 900 });
    expect(task.segments[5]!.params).toStrictEqual({
      dose: points[5]!.dose,
      immuneKill: points[5]!.immuneKill,
    });
    const whole = segmentsOf(points).map((s, i) => ({ ...s, patientStart: 2 * i, patientEnd: 2 * i + 2 }));
    expect(taskSegments(crossed(task))).toStrictEqual(whole.map((s) => ({ ...s, params: { ...s.params } })));
    const recording = recordingOf(whole);
    expect(simulateChunk(crossed(chunkTask(3, stored, recording)))).toStrictEqual(
      simulateChunk(crossed(chunkTask(3, whole, recording))),
    );
  });

  it('has nothing to send for a chunk without segments', () => {
    const task = chunkTask(1, [], recordingOf([]));
    expect(task.base).toBeUndefined();
    expect(taskSegments(crossed(task))).toEqual([]);
  });
});
