import type {
  ErrorDetail,
  HazardRatiosResponse,
  PointsResponse,
  PowerResponse,
  QueueOverview,
  SensitivityMetric,
  SensitivityResponse,
  SurvivalEndpointName,
  SurvivalResponse,
  SweepCancelled,
  SweepCreated,
  SweepDeleted,
  SweepDryRun,
  SweepList,
  SweepStatus,
} from '@frontline/contracts';
import { showSignIn } from './sign-in.js';
import type { ModelParameter } from './sweep-form.js';

/**
 * The dashboard's only way to the data: the public HTTP API (the same calls as the CLI), with the
 * response types of its contracts (@frontline/contracts).
 */

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
  listSweeps: (limit = 50) => request<SweepList>('GET', `/v1/sweeps?limit=${limit}`),
  getSweep: (id: string) => request<SweepStatus>('GET', sweepPath(id)),
  submitSweep: (spec: unknown) => request<SweepCreated>('POST', '/v1/sweeps', spec),
  /** What submitting would cost; creates nothing. */
  previewSweep: (spec: unknown) => request<SweepDryRun>('POST', '/v1/sweeps?dryRun=true', spec),
  cancelSweep: (id: string) => request<SweepCancelled>('POST', `${sweepPath(id)}/cancel`),
  survival: (id: string, endpoint: SurvivalEndpointName, groupBy: string[]) =>
    request<SurvivalResponse>(
      'GET',
      `${sweepPath(id)}/survival?endpoint=${endpoint}${groupBy.length ? `&groupBy=${groupBy.map(encodeURIComponent).join(',')}` : ''}`,
    ),
  sensitivity: (id: string, metric: SensitivityMetric) =>
    request<SensitivityResponse>('GET', `${sweepPath(id)}/sensitivity?metric=${metric}`),
  hazardRatios: (id: string, query: URLSearchParams) =>
    request<HazardRatiosResponse>('GET', `${sweepPath(id)}/hazard-ratios?${query}`),
  power: (id: string, query: URLSearchParams) =>
    request<PowerResponse>('GET', `${sweepPath(id)}/power?${query}`),
  deleteSweep: (id: string) => request<SweepDeleted>('DELETE', sweepPath(id)),
  /** One page of points from point index `offset` (the API caps `limit` at its maxPointsPerPage). */
  pointsPage: (id: string, offset = 0) =>
    request<PointsResponse>('GET', `${sweepPath(id)}/points?offset=${offset}`),
  /** The parameter catalogue; null where this API does not serve it yet. */
  modelParameters: () =>
    request<{ parameters: ModelParameter[] }>('GET', '/v1/model/parameters').then(
      (r) => r.parameters,
      (error: unknown) => {
        if (error instanceof ApiRequestError && error.status === 404) return null;
        throw error;
      },
    ),
  queue: () => request<QueueOverview>('GET', '/v1/queue'),
  eventsUrl: (id: string) => `${sweepPath(id)}/events`,
  outcomesUrl: (id: string, format: 'csv' | 'parquet' | 'ndjson') =>
    `${sweepPath(id)}/outcomes?format=${format}`,
};

/** Every point of a sweep, page after page (`nextOffset`), reporting each page as it arrives. */
export async function allPoints(
  id: string,
  onPage: (loaded: number, total: number) => void = () => {},
): Promise<PointsResponse> {
  let page = await api.pointsPage(id, 0);
  const points = [...page.points];
  onPage(points.length, page.totalPoints);
  while (page.nextOffset !== null) {
    page = await api.pointsPage(id, page.nextOffset);
    points.push(...page.points);
    onPage(points.length, page.totalPoints);
  }
  return { ...page, offset: 0, nextOffset: null, points };
}
