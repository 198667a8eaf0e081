/**
 * The stored format of the sweep's tables (docs/results.md, "Survival tables"): sparse counts packed
 * into one bytea of unsigned LEB128 varints instead of parallel int4[] arrays. A 1,000-patient point
 * has ~1,000 distinct steps per endpoint, mostly one patient each, so int4[] arrays cost 12 bytes a
 * step (11 B per simulation in all); here such a step is one byte. Migration 0010 has the same
 * encoders in SQL (frontline_pack_step_counts, frontline_pack_histogram) for reuse and the backfill.
 *
 * Survival counts, per step (steps ascending, distinct): varint(gap × 4 + tag), gap = step − previous
 * step − 1 (the previous step of the first is −1), then by tag: 0 = one event; 1 = one censoring;
 * 2 = varint(events), no censoring; 3 = varint(events), varint(censored).
 * Histogram, per bin (ascending): varint(gap × 2 + tag): 0 = one value; 1 = varint(count).
 * Pure: no I/O.
 */
import type { StepCounts } from './chunk-tally.js';
import { gridTime } from './time-grid.js';

/** A growable byte buffer of varints. */
class VarintWriter {
  private bytes = new Uint8Array(256);
  private length = 0;

  write(value: number): void {
    if (!(value >= 0) || !Number.isSafeInteger(value)) throw new Error(`cannot pack ${value}`);
    if (this.length + 8 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  buffer(): Buffer {
    return Buffer.from(this.bytes.buffer, 0, this.length);
  }
}

/** Pack survival counts (steps ascending and distinct, as StepCounts are). */
export function packStepCounts(counts: StepCounts): Buffer {
  const out = new VarintWriter();
  let previous = -1;
  for (let i = 0; i < counts.steps.length; i++) {
    const step = counts.steps[i]!;
    const events = counts.events[i]!;
    const censored = counts.censored[i]!;
    const gap = (step - previous - 1) * 4;
    previous = step;
    if (events === 1 && censored === 0) out.write(gap);
    else if (events === 0 && censored === 1) out.write(gap + 1);
    else if (censored === 0) {
      out.write(gap + 2);
      out.write(events);
    } else {
      out.write(gap + 3);
      out.write(events);
      out.write(censored);
    }
  }
  return out.buffer();
}

/** Survival counts as packed: steps, events and censorings per step, steps ascending. */
export interface UnpackedStepCounts {
  steps: Int32Array;
  events: Int32Array;
  censored: Int32Array;
}

// Decoding scratch, grown as needed and reused: one table is decoded into it, then copied out at its
// exact length (a subarray of an oversized buffer would be cloned whole to a statistics thread).
let scratchTimes = new Float64Array(4096);
let scratchEvents = new Int32Array(4096);
let scratchCensored = new Int32Array(4096);

const truncated = () => new Error('packed counts end inside a varint');

/**
 * Decode what packStepCounts (or frontline_pack_step_counts) wrote into the scratch arrays, each step's
 * time as gridTime(step, stepDays) (stepDays 1: the step itself); returns the number of steps. One pass
 * over the bytes with the varints read inline (this runs for every point of a survival request).
 */
function decodeStepCounts(packed: Uint8Array, stepDays: number): number {
  const length = packed.length;
  // A step takes at least one byte: the buffer's length bounds the number of steps.
  if (scratchTimes.length < length) {
    const capacity = Math.max(length, scratchTimes.length * 2);
    scratchTimes = new Float64Array(capacity);
    scratchEvents = new Int32Array(capacity);
    scratchCensored = new Int32Array(capacity);
  }
  const times = scratchTimes;
  const events = scratchEvents;
  const censored = scratchCensored;
  let n = 0;
  let previous = -1;
  let offset = 0;
  while (offset < length) {
    let byte = packed[offset++]!;
    let head = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      if (offset >= length) throw truncated();
      byte = packed[offset++]!;
      head += (byte & 0x7f) * scale;
    }
    const tag = head % 4;
    previous += (head - tag) / 4 + 1;
    times[n] = gridTime(previous, stepDays);
    if (tag === 0) {
      events[n] = 1;
      censored[n] = 0;
    } else if (tag === 1) {
      events[n] = 0;
      censored[n] = 1;
    } else {
      // Tag 2: events only; tag 3: events then censorings.
      for (let k = 2; k <= tag; k++) {
        if (offset >= length) throw truncated();
        byte = packed[offset++]!;
        let value = byte & 0x7f;
        for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
          if (offset >= length) throw truncated();
          byte = packed[offset++]!;
          value += (byte & 0x7f) * scale;
        }
        if (k === 2) events[n] = value;
        else censored[n] = value;
      }
      if (tag === 2) censored[n] = 0;
    }
    n++;
  }
  return n;
}

/** Unpack what packStepCounts (or frontline_pack_step_counts) wrote. */
export function unpackStepCounts(packed: Uint8Array): UnpackedStepCounts {
  const n = decodeStepCounts(packed, 1);
  return {
    steps: Int32Array.from(scratchTimes.subarray(0, n)),
    events: scratchEvents.slice(0, n),
    censored: scratchCensored.slice(0, n),
  };
}

/**
 * A packed table as survival statistics take it: each step's time on the point's grid (gridTime, the
 * write path's product, so times equal the stored rows' exactly), events and censorings — decoded in
 * one pass, without the steps array in between.
 */
export function unpackStepCountsOnGrid(
  packed: Uint8Array,
  stepDays: number,
): { time: Float64Array; nEvent: Int32Array; nCensor: Int32Array } {
  const n = decodeStepCounts(packed, stepDays);
  return {
    time: scratchTimes.slice(0, n),
    nEvent: scratchEvents.slice(0, n),
    nCensor: scratchCensored.slice(0, n),
  };
}

/** Sparse per-key counts with keys ascending (a histogram's bins). */
export interface SparseHistogram {
  bins: number[];
  counts: number[];
}

/** Pack a sparse histogram (bins ascending and distinct). */
export function packHistogram(histogram: SparseHistogram): Buffer {
  const out = new VarintWriter();
  let previous = -1;
  for (let i = 0; i < histogram.bins.length; i++) {
    const bin = histogram.bins[i]!;
    const count = histogram.counts[i]!;
    const gap = (bin - previous - 1) * 2;
    previous = bin;
    if (count === 1) out.write(gap);
    else {
      out.write(gap + 1);
      out.write(count);
    }
  }
  return out.buffer();
}

/**
 * Unpack what packHistogram (or frontline_pack_histogram) wrote, the varints read inline (`points` decodes
 * a 1,000-bin histogram per point on the event loop).
 */
export function unpackHistogram(packed: Uint8Array): SparseHistogram {
  const length = packed.length;
  const bins: number[] = [];
  const counts: number[] = [];
  let previous = -1;
  let offset = 0;
  while (offset < length) {
    let byte = packed[offset++]!;
    let head = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      if (offset >= length) throw truncated();
      byte = packed[offset++]!;
      head += (byte & 0x7f) * scale;
    }
    const tag = head % 2;
    previous += (head - tag) / 2 + 1;
    bins.push(previous);
    if (tag === 0) counts.push(1);
    else {
      if (offset >= length) throw truncated();
      byte = packed[offset++]!;
      let value = byte & 0x7f;
      for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
        if (offset >= length) throw truncated();
        byte = packed[offset++]!;
        value += (byte & 0x7f) * scale;
      }
      counts.push(value);
    }
  }
  return { bins, counts };
}

/** The sum of sparse counts over keys: `columns` count arrays aligned with ascending `keys`. */
function mergeSparse(
  a: { keys: ArrayLike<number>; columns: ArrayLike<number>[] },
  b: { keys: ArrayLike<number>; columns: ArrayLike<number>[] },
): { keys: number[]; columns: number[][] } {
  const keys: number[] = [];
  const columns: number[][] = a.columns.map(() => []);
  let i = 0;
  let j = 0;
  while (i < a.keys.length || j < b.keys.length) {
    const ka = i < a.keys.length ? a.keys[i]! : Number.POSITIVE_INFINITY;
    const kb = j < b.keys.length ? b.keys[j]! : Number.POSITIVE_INFINITY;
    const key = Math.min(ka, kb);
    keys.push(key);
    for (const [c, column] of columns.entries())
      column.push((ka === key ? a.columns[c]![i]! : 0) + (kb === key ? b.columns[c]![j]! : 0));
    if (ka === key) i++;
    if (kb === key) j++;
  }
  return { keys, columns };
}

/** Survival counts of both, added step by step. */
export function addStepCounts(
  a: StepCounts | UnpackedStepCounts,
  b: StepCounts | UnpackedStepCounts,
): StepCounts {
  const { keys, columns } = mergeSparse(
    { keys: a.steps, columns: [a.events, a.censored] },
    { keys: b.steps, columns: [b.events, b.censored] },
  );
  return { steps: keys, events: columns[0]!, censored: columns[1]! };
}

/** Histograms of both, added bin by bin. */
export function addHistograms(a: SparseHistogram, b: SparseHistogram): SparseHistogram {
  const { keys, columns } = mergeSparse(
    { keys: a.bins, columns: [a.counts] },
    { keys: b.bins, columns: [b.counts] },
  );
  return { bins: keys, counts: columns[0]! };
}
