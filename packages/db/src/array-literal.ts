/**
 * Postgres array literals (`{1,2.5,NULL,t}`), built where the values are (a simulation thread, a placement
 * batch) and sent as text.
 */

/** A value as an element of a Postgres array literal: numbers as JavaScript prints them, as pg does. */
export const arrayElement = (value: number | boolean | null): string =>
  value === null ? 'NULL' : typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);

/** Values as a Postgres array literal (numbers, booleans, nulls: no element needs quoting). */
export const arrayLiteral = (values: readonly (number | boolean | null)[]): string =>
  `{${values.map(arrayElement).join(',')}}`;

/** A string as an element of a `text[]` literal: as it is when it needs no quoting (hex digits), else quoted. */
function textElement(value: string): string {
  const bare = /^[^{}",\\\s]+$/.test(value) && (value.length !== 4 || value.toUpperCase() !== 'NULL');
  return bare ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Strings as a Postgres `text[]` literal. Content hashes, hex digits, go as they are: pg's own encoding
 * escapes every element with two regular expressions.
 */
export const textArrayLiteral = (values: readonly string[]): string =>
  `{${values.map(textElement).join(',')}}`;

/** One byte string as an element of a `bytea[]` literal. */
export const byteaElement = (v: Uint8Array): string =>
  `"\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}"`;

/**
 * Byte strings as a Postgres `bytea[]` literal (`{"\\x0a1b",…}`: hex, the backslash escaped for the array
 * syntax). pg's own encoding of an array of Buffers escapes each element with regular expressions: it took
 * most of the worker main thread's time per chunk.
 */
export const byteaArrayLiteral = (values: readonly Uint8Array[]): string =>
  `{${values.map(byteaElement).join(',')}}`;

/** The elements of a literal made by arrayLiteral or byteaArrayLiteral (none of their elements holds a comma). */
export const literalElements = (literal: string): string[] =>
  literal === '{}' ? [] : literal.slice(1, -1).split(',');

/** The bytes of an element of byteaArrayLiteral. */
export const byteaOfElement = (element: string): Buffer => Buffer.from(element.slice(4, -1), 'hex');
