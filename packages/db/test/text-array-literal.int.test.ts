import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { textArrayLiteral } from '../src/array-literal.js';

describe('textArrayLiteral: a text[] literal Postgres reads back element for element', () => {
  it('keeps hex hashes bare and quotes every string the array syntax would misread', async () => {
    const hash = 'b899924a257a07e013c10a9a01dd5fa6c6057516bae718121fa27c751bf23511';
    const values = [
      hash,
      `repeat-test:${hash}`,
      '',
      'NULL',
      'null',
      'NULLS',
      'a b',
      'a,b',
      '{x}',
      'q"uote',
      'back\\slash',
      '\\"',
      'tab\there',
      'line\nbreak',
      'é ü 漢',
    ];
    const literal = textArrayLiteral(values);
    expect(literal.startsWith(`{${hash},repeat-test:${hash},"","NULL","null",NULLS,"a b","a,b",`)).toBe(true);
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    const { rows } = await client
      .query<{ back: string[]; n: number; nulls: number }>(
        `select $1::text[] as back, cardinality($1::text[]) as n,
              (select count(*)::int from unnest($1::text[]) as v where v is null) as nulls`,
        [literal],
      )
      .finally(() => client.end());
    expect(rows[0]).toEqual({ back: values, n: values.length, nulls: 0 });
    expect(textArrayLiteral([])).toBe('{}');
  });
});
