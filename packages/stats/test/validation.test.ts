import { describe, expect, it } from 'vitest';
import {
  kaplanMeier,
  logRank,
  rmst,
  type SurvivalInput,
  SurvivalInputError,
  survivalAt,
  survivalQuantile,
} from '../src/index.js';

function rejects(input: unknown, message: RegExp): void {
  expect(() => kaplanMeier(input as SurvivalInput)).toThrow(SurvivalInputError);
  expect(() => kaplanMeier(input as SurvivalInput)).toThrow(message);
}

describe('bad input says what is wrong', () => {
  it('mismatched lengths', () => {
    rejects({ time: [1, 2, 3], event: [true, false] }, /same length \(got time 3, event 2\)/);
    rejects(
      { time: [1, 2], nEvent: [1, 0], nCensor: [0] },
      /same length \(got time 2, nEvent 2, nCensor 1\)/,
    );
  });

  it('negative, non-finite or non-numeric times', () => {
    rejects({ time: [1, -2], event: [true, true] }, /time\[1\] is -2; times must be finite numbers ≥ 0/);
    rejects({ time: [Number.NaN], event: [true] }, /time\[0\] is NaN/);
    rejects({ time: [1, Number.POSITIVE_INFINITY], event: [true, false] }, /time\[1\] is Infinity/);
    rejects({ time: ['3'], event: [true] }, /time\[0\] is 3; times must be finite numbers/);
    rejects({ time: [-1], nEvent: [1], nCensor: [0] }, /time\[0\] is -1/);
  });

  it('empty input', () => {
    rejects({ time: [], event: [] }, /input is empty/);
    rejects({ time: [], nEvent: [], nCensor: [] }, /input is empty/);
    rejects({ time: [1, 2], nEvent: [0, 0], nCensor: [0, 0] }, /every count is zero/);
  });

  it('negative or non-integer counts', () => {
    rejects(
      { time: [1], nEvent: [-1], nCensor: [0] },
      /nEvent\[0\] is -1; counts must be non-negative integers/,
    );
    rejects({ time: [1, 2], nEvent: [1, 1], nCensor: [0, 0.5] }, /nCensor\[1\] is 0.5/);
    rejects({ time: [1], nEvent: [Number.NaN], nCensor: [0] }, /nEvent\[0\] is NaN/);
  });

  it('events that are not booleans, and inputs of the wrong shape', () => {
    rejects({ time: [1, 2], event: [true, 1] }, /event\[1\] is 1; events must be true or false/);
    rejects({ time: [1, 2] }, /'event' must be an array/);
    rejects({ time: 5, event: [true] }, /'time' must be an array/);
    rejects(null, /expected \{ time, event \} or \{ time, nEvent, nCensor \}/);
  });

  it('options and arguments out of range', () => {
    const curve = kaplanMeier({ time: [1, 2], event: [true, false] });
    expect(() => kaplanMeier({ time: [1], event: [true] }, { confLevel: 95 })).toThrow(
      /confLevel must be between 0 and 1/,
    );
    expect(() => rmst(curve, -1)).toThrow(/tau must be a finite number ≥ 0, got -1/);
    expect(() => rmst(curve, Number.POSITIVE_INFINITY)).toThrow(/tau must be a finite number/);
    expect(() => survivalQuantile(curve, 1.5)).toThrow(/p must be in \[0, 1\], got 1.5/);
    expect(() => survivalAt(curve, Number.NaN)).toThrow(/time must be a number/);
  });

  it('log-rank needs two groups and names the group at fault', () => {
    const ok = { time: [1, 2], event: [true, false] };
    expect(() => logRank([ok])).toThrow(/at least two groups are needed, got 1/);
    expect(() => logRank([ok, { time: [1, -3], event: [true, true] }])).toThrow(
      /logRank group 1: time\[1\] is -3/,
    );
    expect(() => logRank([ok, ok], { rho: -1 })).toThrow(/rho must be a finite number ≥ 0/);
  });
});
