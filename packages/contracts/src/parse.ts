import { gridSize, isPowerOfTwo, saltelliPointCount } from '@frontline/design';
import type { z } from 'zod';
import type { ApiError, ErrorDetail } from './errors.js';
import { apiError } from './errors.js';
import type { SweepLimits } from './limits.js';
import { defaultChunkSizeFor, defaultMaxSummarySimulations, defaultSweepLimits } from './limits.js';
import { formatPath } from './paths.js';
import type { SweepSpec } from './spec.js';
import { cohortPatientsBound, sweepSpecSchema } from './spec.js';
import type { OutcomeRetention } from './vocabulary.js';

export type ParseSweepSpecResult =
  | { ok: true; spec: SweepSpec; warnings: string[] }
  | { ok: false; status: 400 | 413 | 422; error: ApiError };

/**
 * Validates a sweep spec and checks its size against the limits, without expanding it. Input is
 * the parsed body (JSON or YAML); a string is taken as raw JSON text and also checked against
 * `maxBodyBytes`. Every failure is a 400/413/422 whose details name the path and the rule.
 */
export function parseSweepSpec(
  input: unknown,
  limits: SweepLimits = defaultSweepLimits,
): ParseSweepSpecResult {
  if (typeof input === 'string') {
    const bytes = Buffer.byteLength(input, 'utf8');
    if (bytes > limits.maxBodyBytes) {
      return fail(
        apiError(
          'payload_too_large',
          `spec is ${bytes} bytes; the limit is ${limits.maxBodyBytes} (maxBodyBytes)`,
          [{ path: '', rule: `at most ${limits.maxBodyBytes} bytes (maxBodyBytes)` }],
        ),
      );
    }
    try {
      input = JSON.parse(input);
    } catch (error) {
      return fail(
        apiError('bad_request', `spec is not valid JSON: ${(error as Error).message}`, [
          { path: '', rule: 'must be valid JSON' },
        ]),
      );
    }
  }

  const reserved = reservedKeyPaths(input);
  if (reserved.length > 0) return invalid(reserved.map((path) => ({ path, rule: 'reserved key' })));
  const unstorable = unstorableTextPaths(input);
  if (unstorable.length > 0) return invalid(unstorable);

  // reportInput puts the offending value on each issue, so type errors can say what was found.
  const parsed = sweepSpecSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return invalid(parsed.error.issues.flatMap(issueDetails));
  const spec = parsed.data;

  const overLimit = checkLimits(spec, limits);
  if (overLimit) return fail(overLimit);
  return { ok: true, spec, warnings: sweepWarnings(spec) };
}

/** Points a spec expands to, computed without expanding it. */
export function sweepPointCount(spec: Pick<SweepSpec, 'design'>): number {
  const { design } = spec;
  if (design.kind === 'grid') return gridSize(design.axes);
  if (design.kind === 'saltelli') return saltelliPointCount(design.samples, Object.keys(design.axes).length);
  return design.samples;
}

/**
 * What a sweep keeps of its outcomes (docs/spec.md `outcomes`): as the spec says, else `full` up to the
 * deployment's `maxSimulations` (10⁷ by default) and `summary` above it.
 */
export function outcomeRetentionOf(
  spec: Pick<SweepSpec, 'design' | 'cohort' | 'outcomes'>,
  limits: Pick<SweepLimits, 'maxSimulations'> = defaultSweepLimits,
): OutcomeRetention {
  if (spec.outcomes) return spec.outcomes;
  return sweepPointCount(spec) * cohortPatientsBound(spec.cohort) <= limits.maxSimulations
    ? 'full'
    : 'summary';
}

/**
 * Simulations per chunk of a sweep: `cohort.chunkSize`, else the default for its size (defaultChunkSizeFor of
 * points × patients; an adaptive cohort at its bound, the most it can run).
 */
export function chunkSizeOf(spec: Pick<SweepSpec, 'design' | 'cohort'>): number {
  return (
    spec.cohort.chunkSize ?? defaultChunkSizeFor(sweepPointCount(spec) * cohortPatientsBound(spec.cohort))
  );
}

/** Non-fatal observations about a valid spec. */
export function sweepWarnings(spec: SweepSpec): string[] {
  const warnings: string[] = [];
  const { design } = spec;
  if ((design.kind === 'sobol' || design.kind === 'saltelli') && !isPowerOfTwo(design.samples)) {
    const n = design.samples;
    const below = 2 ** Math.floor(Math.log2(n));
    const what = design.kind === 'sobol' ? 'Sobol points' : 'the A and B matrices (Sobol points)';
    warnings.push(
      `design.samples: ${n} is not a power of two; ${what} are balanced only at powers of two ` +
        `(use ${below} or ${below * 2})`,
    );
  }
  return warnings;
}

function checkLimits(spec: SweepSpec, limits: SweepLimits): ApiError | undefined {
  const points = sweepPointCount(spec);
  // An adaptive cohort is bounded by its max: the sweep can never run more than points × max.
  const patients = cohortPatientsBound(spec.cohort);
  const patientsPath = typeof spec.cohort.patients === 'number' ? 'cohort.patients' : 'cohort.patients.max';
  const patientsName =
    typeof spec.cohort.patients === 'number' ? 'patients' : 'patients at most (cohort.patients.max)';
  if (points > limits.maxPoints) {
    const { design } = spec;
    const count =
      design.kind === 'saltelli'
        ? `${design.samples} samples × (${Object.keys(design.axes).length} axes + 2) = ${points} points`
        : `${points} points`;
    return apiError('limit_exceeded', `sweep has ${count}; the limit is ${limits.maxPoints} (maxPoints)`, [
      { path: 'design', rule: `at most ${limits.maxPoints} points (maxPoints)` },
    ]);
  }
  if (patients > limits.maxPatientsPerPoint) {
    return apiError(
      'limit_exceeded',
      `cohort has ${patients} ${patientsName}; the limit is ${limits.maxPatientsPerPoint} per point (maxPatientsPerPoint)`,
      [{ path: patientsPath, rule: `at most ${limits.maxPatientsPerPoint} (maxPatientsPerPoint)` }],
    );
  }
  const simulations = points * patients;
  const outcomes = outcomeRetentionOf(spec, limits);
  const cap =
    outcomes === 'full'
      ? limits.maxSimulations
      : (limits.maxSummarySimulations ?? defaultMaxSummarySimulations);
  if (simulations > cap) {
    const capName = outcomes === 'full' ? 'maxSimulations' : 'maxSummarySimulations';
    const hint =
      outcomes === 'full'
        ? '; outcomes: summary keeps survival tables and point summaries only, for larger sweeps'
        : '';
    return apiError(
      'limit_exceeded',
      `sweep needs ${points} points × ${patients} ${patientsName} = ${simulations} simulations; ` +
        `the limit with outcomes: ${outcomes} is ${cap} (${capName})${hint}`,
      [{ path: '', rule: `points × patients at most ${cap} with outcomes: ${outcomes} (${capName})` }],
    );
  }
  return checkChunkCount(points, patients, spec.cohort.chunkSize, limits.maxChunksPerSweep);
}

/**
 * Chunks are counted before any outcome is reused (the most the sweep can make): the work sequence
 * of points × patients cut every chunkSize simulations. Past the limit the message names the
 * smallest chunkSize that fits.
 */
function checkChunkCount(
  points: number,
  patients: number,
  chunkSize: number | undefined,
  maxChunks: number,
): ApiError | undefined {
  const simulations = points * patients;
  const size = chunkSize ?? defaultChunkSizeFor(simulations);
  const chunks = Math.ceil(simulations / size);
  if (chunks <= maxChunks) return undefined;
  const sizeText = chunkSize === undefined ? `the default chunkSize ${size}` : `chunkSize ${size}`;
  const needed = Math.ceil(simulations / maxChunks);
  return apiError(
    'limit_exceeded',
    `sweep needs ⌈${simulations} simulations / ${sizeText}⌉ = ${chunks} chunks; ` +
      `the limit is ${maxChunks} (maxChunksPerSweep): use cohort.chunkSize ≥ ${needed}`,
    [
      {
        path: 'cohort.chunkSize',
        rule: `⌈points × patients / chunkSize⌉ at most ${maxChunks} (maxChunksPerSweep): chunkSize ≥ ${needed}`,
      },
    ],
  );
}

function fail(error: ApiError): ParseSweepSpecResult {
  return { ok: false, status: error.status as 400 | 413 | 422, error };
}

function invalid(details: ErrorDetail[]): ParseSweepSpecResult {
  const first = details[0];
  const summary = first ? `${first.path || 'spec'}: ${first.rule}` : 'invalid spec';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return fail(apiError('validation_failed', `invalid sweep spec: ${summary}${more}`, details));
}

/** One zod issue as path + rule, phrased for the person who wrote the spec. */
function issueDetails(issue: z.core.$ZodIssue): ErrorDetail[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), rule: 'unknown key' }));
    case 'invalid_type':
      return [{ path, rule: typeRule(issue) }];
    case 'too_small':
      return [{ path, rule: boundRule(issue.origin, '≥', '>', issue.minimum, issue.inclusive) }];
    case 'too_big':
      return [{ path, rule: boundRule(issue.origin, '≤', '<', issue.maximum, issue.inclusive) }];
    case 'invalid_value':
      return [{ path, rule: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'invalid_union': {
      // A discriminated union reports the allowed discriminator values on the issue.
      const options = (issue as { options?: unknown }).options;
      if (Array.isArray(options))
        return [{ path, rule: `must be one of ${options.map((v) => JSON.stringify(v)).join(', ')}` }];
      return [{ path, rule: issue.message }];
    }
    default:
      return [{ path, rule: issue.message }];
  }
}

function typeRule(issue: z.core.$ZodIssueInvalidType): string {
  const found = issue.input;
  if (found === undefined) return 'is required';
  if (typeof found === 'number' && !Number.isFinite(found)) return `must be a finite number, got ${found}`;
  const expected =
    issue.expected === 'int'
      ? 'an integer'
      : `a${/^[aeiou]/.test(issue.expected) ? 'n' : ''} ${issue.expected}`;
  return `must be ${expected}, got ${describe(found)}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
}

function boundRule(
  origin: string,
  inclusiveSymbol: string,
  exclusiveSymbol: string,
  bound: number | bigint,
  inclusive: boolean | undefined,
): string {
  const symbol = inclusive === false ? exclusiveSymbol : inclusiveSymbol;
  if (origin === 'array' || origin === 'set')
    return `must have ${symbol} ${bound} item${bound === 1 ? '' : 's'}`;
  if (origin === 'string') return `must have ${symbol} ${bound} character${bound === 1 ? '' : 's'}`;
  return `must be ${symbol} ${bound}`;
}

/** Deeper than any valid spec; the schema rejects such structure anyway. */
const MAX_SPEC_DEPTH = 8;

/**
 * Paths of own `__proto__` keys, which JSON.parse and YAML can produce and zod would silently
 * drop. Depth-bounded so a hostile, deeply nested body cannot overflow the stack.
 */
function reservedKeyPaths(value: unknown, path: PropertyKey[] = [], found: string[] = []): string[] {
  if (path.length > MAX_SPEC_DEPTH || value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    // Arrays in a spec hold numbers; only scan them for nested objects.
    value.forEach((item, i) => {
      if (item !== null && typeof item === 'object') reservedKeyPaths(item, [...path, i], found);
    });
    return found;
  }
  if (Object.hasOwn(value, '__proto__')) found.push(formatPath([...path, '__proto__']));
  for (const [key, item] of Object.entries(value)) reservedKeyPaths(item, [...path, key], found);
  return found;
}

/**
 * Strings (values and keys) Postgres cannot store: a NUL (text and jsonb refuse U+0000) or a lone
 * UTF-16 surrogate (not a character; jsonb refuses its escape). Caught here as a 400 naming where,
 * instead of failing the insert with a 500. Depth-bounded like reservedKeyPaths.
 */
function unstorableTextPaths(
  value: unknown,
  path: PropertyKey[] = [],
  found: ErrorDetail[] = [],
): ErrorDetail[] {
  if (path.length > MAX_SPEC_DEPTH) return found;
  if (typeof value === 'string') {
    const rule = unstorableTextRule(value);
    if (rule) found.push({ path: formatPath(path), rule });
    return found;
  }
  if (value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      unstorableTextPaths(item, [...path, i], found);
    });
    return found;
  }
  for (const [key, item] of Object.entries(value)) {
    const rule = unstorableTextRule(key);
    if (rule) found.push({ path: formatPath([...path, key]), rule: `key ${rule}` });
    unstorableTextPaths(item, [...path, key], found);
  }
  return found;
}

function unstorableTextRule(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character (U+0000)';
  // A high surrogate not followed by a low one, or a low one not preceded by a high one.
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (lone) {
    const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
    return `must not contain a lone surrogate (U+${code} at index ${lone.index}); text must be valid Unicode`;
  }
  return undefined;
}
