/**
 * Tenant isolation of capacity. Heavy reads (survival, points, exports) take a slot of a bounded gate
 * before touching the heavy Postgres pool: at most `concurrency` in flight in this process, at most
 * `perKey` of them for one API key (one more is a 429 at once), and a request that cannot get a slot
 * within `queueMs` is a 503 with Retry-After. Key lookups and light reads use another pool, so no
 * amount of heavy traffic can make them wait.
 */
import { ApiError, type ApiErrorCode } from '@frontline/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CapacityOptions {
  /** Heavy requests in flight in this process. */
  heavyConcurrency: number;
  /** Heavy requests in flight per API key. */
  heavyPerKey: number;
  /** Longest wait for a heavy slot before 503. */
  heavyQueueMs: number;
  /** An export whose client reads nothing for this long is aborted. */
  exportStallMs: number;
  /** statement_timeout of one export's COPY or cursor. */
  exportStatementTimeoutMs: number;
  /** Statistics threads, their time budget per request and heap. */
  statsThreads: number;
  statsTimeoutMs: number;
  statsMemoryMb: number;
  /** Groups in one survival answer (each is a curve): past it, 422 `limit_exceeded`. */
  maxSurvivalGroups: number;
  /** Groups in one all-groups log-rank test (its variance matrix is k × k per event time). */
  maxLogRankGroups: number;
  /** Points in one page of GET /points. */
  maxPointsPerPage: number;
}

export const defaultCapacity: CapacityOptions = {
  heavyConcurrency: 6,
  heavyPerKey: 4,
  heavyQueueMs: 5_000,
  exportStallMs: 30_000,
  exportStatementTimeoutMs: 900_000,
  statsThreads: 2,
  statsTimeoutMs: 20_000,
  statsMemoryMb: 512,
  maxSurvivalGroups: 1_000,
  maxLogRankGroups: 100,
  maxPointsPerPage: 5_000,
};

/** An API error that tells the client when to come back (sent as the Retry-After header). */
export class RetryableError extends ApiError {
  constructor(
    code: ApiErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

export interface HeavyGate {
  /** Take a slot for this request; it is given back when the response closes (sent or aborted). */
  enter(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Requests holding a slot, and waiting for one (for /readyz and metrics). */
  readonly inFlight: number;
  readonly waiting: number;
}

export function createHeavyGate(
  options: Pick<CapacityOptions, 'heavyConcurrency' | 'heavyPerKey' | 'heavyQueueMs'>,
): HeavyGate {
  let inFlight = 0;
  const queue: Waiter[] = [];
  const perKey = new Map<string, number>();

  function leave(key: string) {
    const held = (perKey.get(key) ?? 1) - 1;
    if (held === 0) perKey.delete(key);
    else perKey.set(key, held);
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant(); // the slot passes straight to the next waiter
    } else inFlight--;
  }

  return {
    get inFlight() {
      return inFlight;
    },
    get waiting() {
      return queue.length;
    },
    async enter(request, reply) {
      const key = request.auth?.id ?? request.ip;
      const held = perKey.get(key) ?? 0;
      if (held >= options.heavyPerKey)
        throw new RetryableError(
          'rate_limited',
          `this API key already has ${held} survival, points or export requests in flight; the limit is ` +
            `${options.heavyPerKey} (HEAVY_PER_KEY): retry when one has finished`,
          1,
        );
      perKey.set(key, held + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        leave(key);
      };
      if (inFlight < options.heavyConcurrency) inFlight++;
      else {
        try {
          await new Promise<void>((grant, refuse) => {
            const waiter: Waiter = {
              grant,
              timer: setTimeout(() => {
                queue.splice(queue.indexOf(waiter), 1);
                refuse(
                  new RetryableError(
                    'unavailable',
                    `the API is at its limit of ${options.heavyConcurrency} concurrent survival, points and export ` +
                      `requests (HEAVY_CONCURRENCY) and none finished within ${options.heavyQueueMs} ms; retry shortly`,
                    2,
                  ),
                );
              }, options.heavyQueueMs),
            };
            queue.push(waiter);
          });
        } catch (error) {
          const count = (perKey.get(key) ?? 1) - 1;
          if (count === 0) perKey.delete(key);
          else perKey.set(key, count);
          throw error;
        }
      }
      // 'close' fires once the response is sent or its connection is gone, whatever the route did.
      if (reply.raw.closed) release();
      else reply.raw.once('close', release);
    },
  };
}
