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
  // "Query read timeout": no answer within the pool's query_timeout, a server gone silent (client.ts).
  return /Connection terminated|connection timeout|Client has encountered a connection error|Query read timeout/i.test(
    e.message ?? '',
  );
}

/** `error` as an Error (what pg's release takes to discard a connection). */
export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
