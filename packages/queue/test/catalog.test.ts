import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunkPriority,
  maxBullmqPriority,
  priorityBandWidth,
  priorityClasses,
  priorityOrdinalCap,
} from '../src/index.js';

/** The default SweepLimits.maxChunksPerSweep; chunk indexes run 0..limit-1. */
const chunkLimit = 10_000;
const anyClass = fc.constantFrom(...priorityClasses);
const rank = (c: (typeof priorityClasses)[number]) => priorityClasses.indexOf(c);

describe('chunkPriority', () => {
  it('stays within BullMQ range 1..2,097,151 for every class and every chunk index up to the limit', () => {
    for (const priority of priorityClasses) {
      for (let chunkIndex = 0; chunkIndex < chunkLimit; chunkIndex++) {
        const p = chunkPriority(priority, chunkIndex);
        if (!(Number.isInteger(p) && p >= 1 && p <= maxBullmqPriority))
          throw new Error(`${priority} chunk ${chunkIndex}: priority ${p} outside 1..${maxBullmqPriority}`);
      }
    }
    // The old scheme put low-priority chunk 9,716 at 2,097,161: BullMQ refused it.
    expect(chunkPriority('low', 9_716)).toBe(1 + 2 * 699_050 + 9_716);
    expect(chunkPriority('low', chunkLimit - 1)).toBe(1_408_100);
  });

  it('stays in range for any chunk index at all, the band cap absorbing the excess', () => {
    fc.assert(
      fc.property(anyClass, fc.nat(), (priority, chunkIndex) => {
        const p = chunkPriority(priority, chunkIndex);
        return Number.isInteger(p) && p >= 1 && p <= maxBullmqPriority;
      }),
    );
    expect(chunkPriority('low', Number.MAX_SAFE_INTEGER)).toBe(maxBullmqPriority - 1);
    expect(chunkPriority('high', 0)).toBe(1);
    expect(priorityBandWidth).toBe(699_050);
    expect(priorityOrdinalCap).toBe(699_049);
  });

  it('orders classes strictly: any chunk of a higher class runs before any chunk of a lower one', () => {
    fc.assert(
      fc.property(anyClass, anyClass, fc.nat(), fc.nat(), (a, b, i, j) => {
        fc.pre(rank(a) < rank(b));
        return chunkPriority(a, i) < chunkPriority(b, j);
      }),
    );
  });

  it('interleaves sweeps of one class by chunk ordinal, up to the chunk limit', () => {
    fc.assert(
      fc.property(anyClass, fc.nat(chunkLimit - 1), fc.nat(chunkLimit - 1), (priority, i, j) => {
        const order = Math.sign(chunkPriority(priority, i) - chunkPriority(priority, j));
        return order === Math.sign(i - j);
      }),
    );
  });

  it('refuses an unknown class or a bad chunk index instead of producing NaN', () => {
    expect(() => chunkPriority('urgent' as 'high', 0)).toThrow('unknown priority class "urgent"');
    expect(() => chunkPriority('low', -1)).toThrow('chunk index must be a non-negative integer, got -1');
    expect(() => chunkPriority('low', 1.5)).toThrow(RangeError);
  });
});
