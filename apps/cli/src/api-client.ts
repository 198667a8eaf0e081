import { readStackFile } from '@frontline/config';
import type { ErrorDetail } from '@frontline/contracts';
import { envApiKey, envStackFile } from './env.js';

export const defaultApiUrl = 'http://127.0.0.1:8080';

function localStack() {
  try {
    return readStackFile({ named: envStackFile() });
  } catch {
    return undefined; // an unreadable stack file is no reason to fail: fall back to the defaults
  }
}

/** `--api`, else the running local stack's URL (.frontline/stack.json), else the default port. */
export function resolveApiUrl(option: string | undefined): string {
  return option ?? localStack()?.apiUrl ?? defaultApiUrl;
}

/** `--api-key`, else FRONTLINE_API_KEY, else the local stack's admin key (for the stack on this machine). */
export function resolveApiKey(option: string | undefined): string | undefined {
  return option ?? envApiKey() ?? localStack()?.adminKey;
}

/** The API could not be reached at all (refused, DNS, timeout). */
export class ApiUnreachableError extends Error {
  constructor(
    readonly apiUrl: string,
    readonly reason: string,
  ) {
    super(
      `cannot reach the Frontline API at ${apiUrl} (${reason}).\n` +
        'Is the stack running? Start it with `pnpm stack` (or `frontline up`), or point --api at a running API.',
    );
  }
}

/** The API answered with its error envelope (or something that is not one). */
export class ApiResponseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((error as Error).name === 'TimeoutError') return 'timed out';
  return cause?.message ?? (error as Error).message ?? String(error);
}

async function errorFrom(response: Response): Promise<ApiResponseError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as {
      error: { code: string; message: string; requestId?: string; details?: ErrorDetail[] };
    };
    return new ApiResponseError(response.status, error.code, error.message, error.details, error.requestId);
  } catch {
    return new ApiResponseError(
      response.status,
      'http_error',
      `HTTP ${response.status}: ${text.slice(0, 200)}`,
    );
  }
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(
    apiUrl: string,
    private readonly apiKey?: string,
  ) {
    this.baseUrl = apiUrl.replace(/\/+$/, '');
  }

  /**
   * The raw response of a successful request; errors become ApiUnreachableError / ApiResponseError.
   * `timeoutMs` null waits as long as the body takes (downloads).
   */
  async fetch(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs: number | null = 30_000,
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeoutMs === null ? undefined : AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ApiUnreachableError(this.baseUrl, describeCause(error));
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body);
    return (await response.json()) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }
}
