/**
 * The two shapes a group of survival times can arrive in, and their validation: raw observations (one
 * row per patient) or counts the database has already aggregated by time.
 */

/** One row per subject: follow-up time and whether the event (e.g. death) was observed at that time. */
export interface RawSurvivalInput {
  readonly time: ArrayLike<number>;
  readonly event: ArrayLike<boolean>;
}

/** Counts by time: at `time[i]`, `nEvent[i]` subjects had the event and `nCensor[i]` were censored. */
export interface AggregatedSurvivalInput {
  readonly time: ArrayLike<number>;
  readonly nEvent: ArrayLike<number>;
  readonly nCensor: ArrayLike<number>;
}

export type SurvivalInput = RawSurvivalInput | AggregatedSurvivalInput;

/** Thrown for input that cannot describe a group of survival times; the message says what is wrong. */
export class SurvivalInputError extends Error {
  override readonly name = 'SurvivalInputError';
}

export function isAggregatedInput(input: SurvivalInput): input is AggregatedSurvivalInput {
  return 'nEvent' in input || 'nCensor' in input;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (
    Array.isArray(value) ||
    ArrayBuffer.isView(value) ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { length?: unknown }).length === 'number')
  );
}

/** Checks the shape (fields present, array-like, equal lengths, not empty); element checks happen while tabulating. */
export function checkShape(input: SurvivalInput, where: string): void {
  if (typeof input !== 'object' || input === null) {
    throw new SurvivalInputError(
      `${where}: expected { time, event } or { time, nEvent, nCensor }, got ${input}`,
    );
  }
  const fields = isAggregatedInput(input) ? ['time', 'nEvent', 'nCensor'] : ['time', 'event'];
  const record = input as unknown as Record<string, unknown>;
  for (const field of fields) {
    if (!isArrayLike(record[field])) {
      throw new SurvivalInputError(
        `${where}: '${field}' must be an array (input is { time, event } or { time, nEvent, nCensor })`,
      );
    }
  }
  const lengths = fields.map((field) => (record[field] as ArrayLike<unknown>).length);
  if (lengths.some((length) => length !== lengths[0])) {
    const described = fields.map((field, i) => `${field} ${lengths[i]}`).join(', ');
    throw new SurvivalInputError(
      `${where}: ${fields.join(', ')} must have the same length (got ${described})`,
    );
  }
  if (lengths[0] === 0)
    throw new SurvivalInputError(`${where}: input is empty, at least one subject is needed`);
}

export function badTime(where: string, index: number, value: unknown): SurvivalInputError {
  return new SurvivalInputError(
    `${where}: time[${index}] is ${String(value)}; times must be finite numbers ≥ 0`,
  );
}

export function badEvent(where: string, index: number, value: unknown): SurvivalInputError {
  return new SurvivalInputError(
    `${where}: event[${index}] is ${String(value)}; events must be true or false`,
  );
}

export function badCount(where: string, field: string, index: number, value: unknown): SurvivalInputError {
  return new SurvivalInputError(
    `${where}: ${field}[${index}] is ${String(value)}; counts must be non-negative integers`,
  );
}
