import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { numericSum } from '../src/tallies/numeric-sum.js';

/** A seeded stream of doubles in [0, 1): mulberry32. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("numericSum: Postgres's own sum(v::numeric) of float8 values, computed in JavaScript", () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  /** Postgres's sum, and whether it equals ours (numeric equality: trailing zeros do not matter). */
  async function postgresSum(values: number[]) {
    const { rows } = await client.query<{ theirs: string; same: boolean }>(
      `select coalesce(sum(v::numeric), 0)::text as theirs,
              coalesce(sum(v::numeric), 0) = $2::numeric as same
       from unnest($1::float8[]) as v`,
      [values, numericSum(values)],
    );
    return rows[0]!;
  }

  it('equals it for dose intensities as the model gives them, and for awkward doubles', async () => {
    const next = random(13);
    const cases: number[][] = [
      [],
      [0],
      [0.75, 0.5, 1, 0.875],
      [0.1, 0.2, 0.3],
      [1 / 3, 2 / 3, 1 / 7, Math.PI / 4],
      [1e-7, 1.5e-12, 123456.789, 1e21, 5e-324],
      [-0, 0.30000000000000004, 0.9999999999999999, 1.0000000000000002],
      // Exact ties at the 16th significant digit (32769/65536 = 0.5000152587890625): %.15g rounds them to even.
      [32769 / 65536, 32771 / 65536, 0.5000152587890625, 1234567890123.125, 1234567890123.375],
      Array.from({ length: 20_000 }, () => next() * 1.2),
      Array.from({ length: 5_000 }, () => Math.round(next() * 64) / 64),
    ];
    for (const values of cases) {
      const { theirs, same } = await postgresSum(values);
      expect({ n: values.length, same, theirs }).toEqual({ n: values.length, same: true, theirs });
    }
  });

  it('rounds each value as float8 → numeric does (15 significant digits), before adding', async () => {
    // One value: its numeric conversion itself.
    for (const value of [0.12345678901234566, 2 / 3, 0.5000152587890625, 0.5000457763671875, 1e-20 / 3]) {
      const { rows } = await client.query<{ same: boolean }>(
        'select $1::float8::numeric = $2::numeric as same',
        [value, numericSum([value])],
      );
      expect({ value, same: rows[0]!.same }).toEqual({ value, same: true });
    }
  });
});
