import { isConnectionError } from '@frontline/db';

export { isConnectionError };

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
