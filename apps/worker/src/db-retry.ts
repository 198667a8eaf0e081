/** Errors that mean "Postgres is unreachable right now", not "this query is wrong". */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (
    e.code &&
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(e.code)
  )
    return true;
  // Class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now).
  if (e.code && (e.code.startsWith('08') || /^57P0[1-3]$/.test(e.code))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
    e.message ?? '',
  );
}

/**
 * Retry `work` with capped exponential backoff while Postgres is unreachable, for up to `budgetMs`.
 * A chunk's database write waits out an outage instead of burning the job's attempts.
 */
export async function retryWhileUnreachable<T>(
  work: () => Promise<T>,
  {
    budgetMs = 120_000,
    onRetry,
  }: { budgetMs?: number; onRetry?: (error: unknown, delayMs: number) => void } = {},
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const delayMs = Math.min(250 * 2 ** attempt, 5_000);
      if (!isConnectionError(error) || Date.now() + delayMs > deadline) throw error;
      onRetry?.(error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
