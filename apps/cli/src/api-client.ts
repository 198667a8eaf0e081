import { readStackFile } from '@frontline/config';
import type { ErrorDetail } from '@frontline/contracts';
import { callerDirectory, envApiKey, envApiUrl, envStackFile } from './env.js';

/** The local stack's first choice of API port (it takes the first free one from 3000). */
export const defaultApiUrl = 'http://127.0.0.1:3000';
/** Seconds a request may take before the CLI gives up (`--timeout`). */
export const defaultTimeoutSeconds = 30;

/** The nearest `.frontline/stack.json` from the caller's directory up (or FRONTLINE_STACK_FILE). */
function localStack() {
  try {
    return readStackFile({ named: envStackFile(), from: callerDirectory() });
  } catch {
    return undefined; // an unreadable stack file is no reason to fail: fall back to the defaults
  }
}

const sameOrigin = (a: string, b: string) => {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
};

/** `--api`, else FRONTLINE_API, else the running local stack's URL (.frontline/stack.json), else the default port. */
export function resolveApiUrl(option: string | undefined): string {
  return option ?? envApiUrl() ?? localStack()?.apiUrl ?? defaultApiUrl;
}

/**
 * `--api-key`, else FRONTLINE_KEY, else the local stack's admin key — only when talking to that
 * stack: its key is never sent to another server.
 */
export function resolveApiKey(option: string | undefined, apiUrl: string): string | undefined {
  if (option ?? envApiKey()) return option ?? envApiKey();
  const stack = localStack();
  return stack && sameOrigin(stack.apiUrl, apiUrl) ? stack.adminKey : undefined;
}

/** The API accepted the connection but did not answer in time: up, but busy or stuck. */
export class ApiTimeoutError extends Error {
  constructor(
    readonly apiUrl: string,
    readonly seconds: number,
  ) {
    super(
      `the API at ${apiUrl} did not answer within ${seconds} s (it accepted the connection, so it is running but slow or stuck).\n` +
        'Try again, or give it longer with --timeout <seconds>.',
    );
  }
}

/** The API could not be reached at all (refused, DNS). */
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
  return cause?.message ?? (error as Error).message ?? String(error);
}

const isTimeout = (error: unknown) => (error as Error | undefined)?.name === 'TimeoutError';

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
    readonly timeoutSeconds: number = defaultTimeoutSeconds,
  ) {
    this.baseUrl = apiUrl.replace(/\/+$/, '');
  }

  /**
   * The raw response of a successful request; errors become ApiUnreachableError / ApiResponseError.
   * `timeoutMs` null waits as long as the body takes (downloads, event streams); then the
   * connection still must answer within the timeout.
   */
  async fetch(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs: number | null = this.timeoutSeconds * 1000,
  ): Promise<Response> {
    // Streams get no overall limit, but their headers must arrive in time.
    const answered = new AbortController();
    const headersTimer =
      timeoutMs === null ? setTimeout(() => answered.abort(), this.timeoutSeconds * 1000) : undefined;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeoutMs === null ? answered.signal : AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (isTimeout(error) || answered.signal.aborted)
        throw new ApiTimeoutError(this.baseUrl, timeoutMs === null ? this.timeoutSeconds : timeoutMs / 1000);
      throw new ApiUnreachableError(this.baseUrl, describeCause(error));
    } finally {
      clearTimeout(headersTimer);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body);
    try {
      return (await response.json()) as T;
    } catch (error) {
      // The headers came in time, the body did not.
      if (isTimeout(error)) throw new ApiTimeoutError(this.baseUrl, this.timeoutSeconds);
      throw error;
    }
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }
}
