/**
 * Pooling count tables: the table of a group of subjects is the merge of its members' tables, times
 * ascending, counts added where a time appears in several. The database counts per point (in index
 * order, no sort); a group of points is pooled here.
 */
import type { AggregatedSurvivalInput } from './input.js';

/** Events and censorings per distinct time, in typed arrays: what the database's counts arrive as. */
export interface CountTable extends AggregatedSurvivalInput {
  readonly time: Float64Array;
  readonly nEvent: Int32Array;
  readonly nCensor: Int32Array;
}

export function emptyCountTable(): CountTable {
  return { time: new Float64Array(0), nEvent: new Int32Array(0), nCensor: new Int32Array(0) };
}

/** Merge two tables with ascending times into one, adding the counts of times present in both. */
function mergeTwo(a: CountTable, b: CountTable): CountTable {
  const capacity = a.time.length + b.time.length;
  const time = new Float64Array(capacity);
  const nEvent = new Int32Array(capacity);
  const nCensor = new Int32Array(capacity);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.time.length || j < b.time.length) {
    const ta = i < a.time.length ? a.time[i]! : Number.POSITIVE_INFINITY;
    const tb = j < b.time.length ? b.time[j]! : Number.POSITIVE_INFINITY;
    if (ta <= tb) {
      time[n] = ta;
      nEvent[n] = a.nEvent[i]!;
      nCensor[n] = a.nCensor[i]!;
      i++;
      if (ta === tb) {
        nEvent[n]! += b.nEvent[j]!;
        nCensor[n]! += b.nCensor[j]!;
        j++;
      }
    } else {
      time[n] = tb;
      nEvent[n] = b.nEvent[j]!;
      nCensor[n] = b.nCensor[j]!;
      j++;
    }
    n++;
  }
  return { time: time.subarray(0, n), nEvent: nEvent.subarray(0, n), nCensor: nCensor.subarray(0, n) };
}

/** Pool several tables (each with ascending times) into one, pairwise: O(rows · log tables). */
export function poolCountTables(tables: readonly CountTable[]): CountTable {
  if (tables.length === 0) return emptyCountTable();
  let level = [...tables];
  while (level.length > 1) {
    const next: CountTable[] = [];
    for (let k = 0; k < level.length; k += 2)
      next.push(k + 1 < level.length ? mergeTwo(level[k]!, level[k + 1]!) : level[k]!);
    level = next;
  }
  return level[0]!;
}

/** Assignment of a member (e.g. a point) to a group; groups are numbered 0 … groups − 1. */
export interface GroupMember<Id> {
  member: Id;
  group: number;
}

/**
 * One pooled table per group from the members' tables (an empty table for a member without one). A
 * member listed twice in the same group counts once.
 */
export function poolByGroup<Id>(
  tableOf: ReadonlyMap<Id, CountTable>,
  members: readonly GroupMember<Id>[],
  groups: number,
): CountTable[] {
  const byGroup: Set<Id>[] = Array.from({ length: groups }, () => new Set());
  for (const { member, group } of members) byGroup[group]!.add(member);
  return byGroup.map((ids) => poolCountTables([...ids].map((id) => tableOf.get(id) ?? emptyCountTable())));
}
