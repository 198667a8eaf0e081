/** Postgres array literals (`{1,2.5,NULL,t}`), built where the values are (a simulation thread), sent as text. */

/** A value as an element of a Postgres array literal: numbers as JavaScript prints them, as pg does. */
export const arrayElement = (value: number | boolean | null): string =>
  value === null ? 'NULL' : typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);

/** Values as a Postgres array literal (numbers, booleans, nulls: no element needs quoting). */
export const arrayLiteral = (values: readonly (number | boolean | null)[]): string =>
  `{${values.map(arrayElement).join(',')}}`;
