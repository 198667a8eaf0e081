import { showSignIn } from './sign-in.js';
/**
 * The dashboard's only way to the data: the public HTTP API (the same calls as the CLI). Response
 * types cover the fields the pages read.
 */

export type SweepState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface SweepProgress {
  done: number;
  total: number;
  failed: number;
  reused: number;
}

export interface SweepSummary {
  id: string;
  name: string;
  status: SweepState;
  priority: string;
  progress: SweepProgress;
  ratePerSecond: number | null;
  etaSeconds: number | null;
  points: number;
  patients: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  failureReason: string | null;
}

export type GridAxes = Record<string, number[]>;
export type SampledAxes = Record<string, { min: number; max: number; scale?: string }>;

export interface SweepDetail extends SweepSummary {
  spec: {
    name: string;
    design:
      | { kind: 'grid'; axes: GridAxes }
      | { kind: 'lhs' | 'sobol'; samples: number; seed: number; axes: SampledAxes };
    cohort: { patients: number; seed: number; chunkSize?: number };
    params?: Record<string, unknown>;
  };
}

/** What the SSE stream's `progress` and `end` events carry. */
export type ProgressEvent = Pick<SweepSummary, 'id' | 'status' | 'progress' | 'ratePerSecond' | 'etaSeconds'>;

export interface QueueStatus {
  name: string;
  prefix: string;
  paused: boolean;
  counts: { waiting: number; active: number; delayed: number; failed: number; completed: number };
  workers: { host: string; pid: number | null; threads: number | null; busy: number | null }[];
  throughput: {
    windowSeconds: number;
    completedJobs: number;
    failedJobs: number;
    simulationsPerSecond: number;
  };
  oldestWaitingAgeSeconds: number | null;
}

export type SurvivalEndpoint = 'os' | 'pfs' | 'mfs';

export interface SurvivalGroup {
  key: unknown;
  patients: number;
  events: number;
  curve: {
    time: number[];
    survival: (number | null)[];
    lower: (number | null)[];
    upper: (number | null)[];
  };
  median: { value: number | null; lower: number | null; upper: number | null } | null;
  logRank: LogRank | null;
}

export interface LogRank {
  chiSq: number;
  df: number;
  pValue: number;
}

export interface SurvivalResponse {
  endpoint: SurvivalEndpoint;
  partial: boolean;
  /** Each group against its reference arm, or one test across all groups. */
  comparison:
    | { method: 'referenceArm'; referenceArm: Record<string, number> }
    | { method: 'allGroups'; reason: string; logRank: LogRank | null };
  groups: SurvivalGroup[];
}

/** A row of GET /v1/sweeps/{id}/points: its axis values and per-point summaries. */
export type PointRow = Record<string, unknown>;

export interface ErrorDetail {
  path: string;
  rule: string;
}

/** A non-2xx answer, from the API's error envelope `{ error: { code, message, requestId, details? } }`. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: ErrorDetail[] } })?.error;
    if (response.status === 401) showSignIn(error?.message ?? 'this API needs a key');
    throw new ApiRequestError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `${method} ${path}: HTTP ${response.status}`,
      error?.details ?? [],
    );
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const sweepPath = (id: string) => `/v1/sweeps/${encodeURIComponent(id)}`;

export const api = {
  listSweeps: (limit = 50) =>
    request<{ items: SweepSummary[]; nextCursor: string | null }>('GET', `/v1/sweeps?limit=${limit}`),
  getSweep: (id: string) => request<SweepDetail>('GET', sweepPath(id)),
  submitSweep: (spec: unknown) =>
    request<{ id: string; status: SweepState; warnings: string[] }>('POST', '/v1/sweeps', spec),
  cancelSweep: (id: string) => request<SweepSummary>('POST', `${sweepPath(id)}/cancel`),
  survival: (id: string, endpoint: SurvivalEndpoint, groupBy: string[]) =>
    request<SurvivalResponse>(
      'GET',
      `${sweepPath(id)}/survival?endpoint=${endpoint}${groupBy.length ? `&groupBy=${groupBy.map(encodeURIComponent).join(',')}` : ''}`,
    ),
  points: (id: string) => request<unknown>('GET', `${sweepPath(id)}/points`),
  queue: () => request<{ queues: QueueStatus[] }>('GET', '/v1/queue'),
  eventsUrl: (id: string) => `${sweepPath(id)}/events`,
  outcomesUrl: (id: string, format: 'csv' | 'parquet' | 'ndjson') =>
    `${sweepPath(id)}/outcomes?format=${format}`,
};
