import { describe, expect, it } from 'vitest';
import { arrayLiteral, byteaArrayLiteral } from '../src/array-literal.js';

describe('array literals sent as text', () => {
  it('writes byte strings as hex bytea elements, views into a larger buffer by their own bytes only', () => {
    const whole = Uint8Array.from([0xff, 0x0a, 0x1b, 0x00, 0xee]);
    expect(byteaArrayLiteral([whole.subarray(1, 4), new Uint8Array(0), Buffer.from([0x7f])])).toBe(
      '{"\\\\x0a1b00","\\\\x","\\\\x7f"}',
    );
    expect(byteaArrayLiteral([])).toBe('{}');
  });

  it('writes numbers as JavaScript prints them', () => {
    expect(arrayLiteral([1, 2.5, -0.25, 1e-7, null, true])).toBe('{1,2.5,-0.25,1e-7,NULL,t}');
  });
});
