/**
 * Tenant isolation of capacity. Heavy reads (survival and points; exports through a gate of their own)
 * take a slot of a bounded gate before touching the heavy Postgres pool: at most `concurrency` in flight
 * in this process, at most `perKey` of them for one API key (one more is a 429 at once), and a request
 * that cannot get a slot within `queueMs` is a 503 with Retry-After. Key lookups and light reads use another pool, so no
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
  /** Exports in flight in this process, and per API key (each holds a connection while it streams). */
  exportConcurrency: number;
  exportPerKey: number;
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
  exportConcurrency: 4,
  exportPerKey: 2,
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
  tenant: string;
  grant: () => void;
  timer: NodeJS.Timeout;
}

export interface GateOptions {
  /** What the gate admits, for messages: "survival and points requests". */
  what: string;
  concurrency: number;
  perKey: number;
  queueMs: number;
  /** The settings' names, for messages: { concurrency: 'HEAVY_CONCURRENCY', perKey: 'HEAVY_PER_KEY' }. */
  names: { concurrency: string; perKey: string };
}

export interface HeavyGate {
  /** Take a slot for this request; it is given back when the response closes (sent or aborted). */
  enter(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Requests holding a slot, and waiting for one (for /readyz). */
  readonly inFlight: number;
  readonly waiting: number;
}

function decrement(counts: Map<string, number>, key: string) {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}

/**
 * A bounded set of slots. A freed slot goes to the waiter whose tenant holds the fewest slots (the
 * oldest among equals): a tenant with a queue of requests cannot make another tenant's one request wait
 * behind all of them. A tenant holds at most all slots but one, so another tenant always gets through.
 */
export function createGate(options: GateOptions): HeavyGate {
  let inFlight = 0;
  const queue: Waiter[] = [];
  const perKey = new Map<string, number>();
  const perTenant = new Map<string, number>();

  const tenantLimit = Math.max(1, options.concurrency - 1);

  function nextWaiter(): Waiter | undefined {
    let best = -1;
    for (let i = 0; i < queue.length; i++) {
      const held = perTenant.get(queue[i]!.tenant) ?? 0;
      if (held >= tenantLimit) continue;
      if (best === -1 || held < (perTenant.get(queue[best]!.tenant) ?? 0)) best = i;
    }
    return best === -1 ? undefined : queue.splice(best, 1)[0];
  }

  function leave(key: string, tenant: string) {
    decrement(perKey, key);
    decrement(perTenant, tenant);
    const next = nextWaiter();
    if (next) {
      clearTimeout(next.timer);
      perTenant.set(next.tenant, (perTenant.get(next.tenant) ?? 0) + 1);
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
      const tenant = request.auth?.tenantId ?? key;
      const held = perKey.get(key) ?? 0;
      if (held >= options.perKey)
        throw new RetryableError(
          'rate_limited',
          `this API key already has ${held} ${options.what} in flight; the limit is ${options.perKey} ` +
            `(${options.names.perKey}): retry when one has finished`,
          1,
        );
      // One tenant, whatever its number of keys, never holds every slot: one stays for the others.
      const tenantHeld = perTenant.get(tenant) ?? 0;
      if (tenantHeld >= tenantLimit)
        throw new RetryableError(
          'rate_limited',
          `this tenant already has ${tenantHeld} ${options.what} in flight; the limit is ${tenantLimit} ` +
            `(${options.names.concurrency} − 1): retry when one has finished`,
          1,
        );
      perKey.set(key, held + 1);
      if (inFlight < options.concurrency) {
        inFlight++;
        perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1);
      } else {
        try {
          await new Promise<void>((grant, refuse) => {
            const waiter: Waiter = {
              tenant,
              grant,
              timer: setTimeout(() => {
                queue.splice(queue.indexOf(waiter), 1);
                refuse(
                  new RetryableError(
                    'unavailable',
                    `the API is at its limit of ${options.concurrency} concurrent ${options.what} ` +
                      `(${options.names.concurrency}) and none finished within ${options.queueMs} ms; retry shortly`,
                    2,
                  ),
                );
              }, options.queueMs),
            };
            queue.push(waiter);
          });
        } catch (error) {
          decrement(perKey, key);
          throw error;
        }
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        leave(key, tenant);
      };
      // 'close' fires once the response is sent or its connection is gone, whatever the route did.
      if (reply.raw.closed) release();
      else reply.raw.once('close', release);
    },
  };
}

/** The gate of survival and points reads, and the gate of exports (which hold a connection for minutes). */
export function createHeavyGates(capacity: CapacityOptions) {
  return {
    reads: createGate({
      what: 'survival or points requests',
      concurrency: capacity.heavyConcurrency,
      perKey: capacity.heavyPerKey,
      queueMs: capacity.heavyQueueMs,
      names: { concurrency: 'HEAVY_CONCURRENCY', perKey: 'HEAVY_PER_KEY' },
    }),
    exports: createGate({
      what: 'outcome exports',
      concurrency: capacity.exportConcurrency,
      perKey: capacity.exportPerKey,
      queueMs: capacity.heavyQueueMs,
      names: { concurrency: 'EXPORT_CONCURRENCY', perKey: 'EXPORT_PER_KEY' },
    }),
  };
}
