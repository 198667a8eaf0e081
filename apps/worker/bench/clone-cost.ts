/**
 * What crossing from a simulation thread to the main thread costs for one chunk, by form (v8 serialize
 * + deserialize, as postMessage does; the main thread pays the deserialize), and what pg then does on the
 * main thread to send each form as the outcome insert's parameters. Bench only, indicative:
 *
 *   node --conditions=@frontline/source --import tsx apps/worker/bench/clone-cost.ts   (BENCH_PATIENTS=20000)
 */
import { createRequire } from 'node:module';
import { deserialize, serialize } from 'node:v8';
import { chunkRecording, outcomeColumns, recordChunk } from '@frontline/db';
import { defaultModelId, modelParamsResolver, resolveModelParams, simulateCohort } from '@frontline/sim';
import { chunkTask, type SimulateSegment, taskSegments } from '../src/simulate-task.js';

// pg's own conversion of a parameter (what client.query runs on the main thread): not in its typings.
const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue: (value: unknown) => unknown;
};

const patients = Number(process.env.BENCH_PATIENTS ?? 20_000);
const params = resolveModelParams(defaultModelId);
const bank = simulateCohort(defaultModelId, params, 1, 0, 1_000);
const outcomes = () => [
  Array.from({ length: patients }, (_, i) => ({ ...bank[i % 1_000]!, patientIndex: i })),
];
const work = {
  retention: 'full' as const,
  segments: [
    {
      point: {
        pointId: 1,
        pointIndex: 0,
        pointHash: '',
        modelId: defaultModelId,
        base: undefined,
        changes: params,
      },
      patientStart: 0,
      patientEnd: patients,
    },
  ],
};
const recorded = recordChunk(chunkRecording('s', work), outcomes());
const summary = recordChunk(chunkRecording('s', { ...work, retention: 'summary' }), outcomes());
const numberColumns = outcomeColumns.map((c) => outcomes()[0]!.map((o) => c.value(o)));
const typedColumns = numberColumns.map((col) => Float64Array.from(col, (v) => Number(v)));

/** Milliseconds a run, the mean of `repeats` after `warm` unmeasured ones. */
function msPerRun(run: () => unknown, warm = 1, repeats = 5): number {
  for (let i = 0; i < warm; i++) run();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) run();
  return (performance.now() - start) / repeats;
}

function time(label: string, run: () => unknown) {
  const ms = msPerRun(run);
  console.log(
    `${label}: ${ms.toFixed(1)} ms per chunk of ${patients} = ${((ms / patients) * 1e3).toFixed(2)} s per 10⁶`,
  );
}
const clone = (x: unknown) => () => deserialize(serialize(x));
const bytes = (x: unknown) => (serialize(x).length / patients).toFixed(0);
console.log(
  `bytes per patient cloned: objects ${bytes(outcomes())}, number[] columns ${bytes(numberColumns)}, Float64Array columns ${bytes(typedColumns)}, literals ${bytes(recorded)}, summary ${bytes(summary)}`,
);
time('clone outcome objects (before)', clone(outcomes()));
time('pg arrayString of number[] columns (before, main thread)', () =>
  numberColumns.map((c) => pgUtils.prepareValue(c)),
);
time('clone number[] columns', clone(numberColumns));
time(
  'clone Float64Array columns (pg would send them as bytea: needs a text step after)',
  clone(typedColumns),
);
time('clone RecordedChunk, full (after: column literals + tallies)', clone(recorded));
time('clone RecordedChunk, summary (after)', clone(summary));
time('recordChunk in the thread, full', () => recordChunk(chunkRecording('s', work), outcomes()));
time('recordChunk in the thread, summary', () =>
  recordChunk(chunkRecording('s', { ...work, retention: 'summary' }), outcomes()),
);

// A chunk of a sampled design: 1,000 points of two patients each, in `summary` mode. Its tallies cross as
// literals (record-tallies.ts): before, as counts objects and byte arrays, they cost ~17 ms to serialize
// and ~25 ms to deserialize a chunk here.
const v2 = resolveModelParams('lf-tid@2');
const smallPoints = {
  retention: 'summary' as const,
  segments: Array.from({ length: 1_000 }, (_, i) => ({
    point: {
      pointId: i + 1,
      pointIndex: i,
      pointHash: '',
      modelId: 'lf-tid@2',
      base: undefined,
      changes: v2,
    },
    patientStart: 0,
    patientEnd: 2,
  })),
};
const smallOutcomes = smallPoints.segments.map((_, i) => simulateCohort('lf-tid@2', v2, 1, 2 * i, 2));
const smallRecorded = recordChunk(chunkRecording('s', smallPoints), structuredClone(smallOutcomes));
const perChunk = (label: string, run: () => unknown) =>
  console.log(`${label}: ${msPerRun(run, 5, 20).toFixed(2)} ms per chunk of 1,000 two-patient points`);
const crossing = serialize(smallRecorded);
console.log(`summary chunk of 1,000 two-patient points: ${crossing.length} bytes cloned`);
perChunk('serialize it (simulation thread)', () => serialize(smallRecorded));
perChunk('deserialize it (main thread)', () => deserialize(crossing));
perChunk('recordChunk it (simulation thread)', () =>
  recordChunk(chunkRecording('s', smallPoints), structuredClone(smallOutcomes)),
);

// The other way: a chunk of 1,000 two-patient points of a design going to its thread. Before, every segment's
// params crossed whole and the kernel compared all of them with the last point it checked; now the first
// crosses whole and the others as their differences (chunkTask), resolved over it in the thread
// (taskSegments). The main thread's params are as loadSegments gives them: the base merged with each point's
// stored differences. The thread's side ends with the kernel's own check (simulateCohort of no patient).
const resolvePoint = modelParamsResolver('lf-tid@2');
const designPoints = Array.from({ length: 1_000 }, (_, i) =>
  resolvePoint({ dose: (i % 97) / 10, immuneKill: 0.01 + (i % 89) / 500 }),
);
const loaded = designPoints.map((p, i) => ({
  modelId: 'lf-tid@2' as const,
  params: { ...designPoints[0]!, dose: p.dose, immuneKill: p.immuneKill },
  patientStart: 2 * i,
  patientEnd: 2 * i + 2,
}));
const noRecording = chunkRecording('s', { retention: 'summary', segments: [] });
const checkInThread = (segments: readonly SimulateSegment[]) => {
  for (const s of segments) simulateCohort(s.modelId, s.params, 1, s.patientStart, 0);
};
const wholeTask = { cohortSeed: 1, segments: loaded, recording: noRecording };
const wholeBytes = serialize(wholeTask);
const differencesBytes = serialize(chunkTask(1, loaded, noRecording));
console.log(
  `task of 1,000 two-patient points: ${wholeBytes.length} bytes with every point whole, ${differencesBytes.length} as base + differences`,
);
perChunk('every point whole: serialize (main thread)', () => serialize(wholeTask));
perChunk('every point whole: deserialize + the kernel’s check (simulation thread)', () =>
  checkInThread((deserialize(wholeBytes) as typeof wholeTask).segments),
);
perChunk('base + differences: chunkTask + serialize (main thread)', () =>
  serialize(chunkTask(1, loaded, noRecording)),
);
perChunk('base + differences: deserialize + taskSegments + the kernel’s check (simulation thread)', () =>
  checkInThread(taskSegments(deserialize(differencesBytes))),
);

// As loadChunk gives a chunk now: each point as stored, the base its sweep's points share (one object) and
// its differences from it, which go to the thread as they are. Before, loadSegments merged each point's
// params whole (base || differences) and chunkTask compared every one of them with the first point's.
const storedBase = Object.freeze({ ...resolvePoint({}) }) as Readonly<Record<string, unknown>>;
const stored = designPoints.map((p, i) => ({
  modelId: 'lf-tid@2' as const,
  base: storedBase,
  changes: { dose: p.dose, immuneKill: p.immuneKill },
  patientStart: 2 * i,
  patientEnd: 2 * i + 2,
}));
perChunk('as stored, merged whole then compared (before): chunkTask + serialize (main thread)', () =>
  serialize(
    chunkTask(
      1,
      stored.map(({ base, changes, ...s }) => ({
        ...s,
        params: { ...base, ...changes } as SimulateSegment['params'],
      })),
      noRecording,
    ),
  ),
);
perChunk('as stored, sent as stored (now): chunkTask + serialize (main thread)', () =>
  serialize(chunkTask(1, stored, noRecording)),
);
const storedBytes = serialize(chunkTask(1, stored, noRecording));
perChunk('as stored: deserialize + taskSegments + the kernel’s check (simulation thread)', () =>
  checkInThread(taskSegments(deserialize(storedBytes))),
);
