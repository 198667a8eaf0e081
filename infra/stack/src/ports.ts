import { createServer } from 'node:net';
import { ProcessExitedError } from './wait.js';

/**
 * Whether nothing listens on `port`. Binding is the only reliable check: a server on the wildcard
 * address, on loopback or on IPv6 all make our 127.0.0.1 bind fail or shadow it, so try each.
 */
export async function isPortFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '0.0.0.0', '::']) {
    const outcome = await tryBind(port, host);
    if (outcome === 'busy') return false;
  }
  return true;
}

type BindOutcome = 'free' | 'busy' | 'unsupported';

function tryBind(port: number, host: string): Promise<BindOutcome> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      // A host without IPv6 cannot answer for '::'; the IPv4 checks already ran.
      const unsupported = error.code === 'EAFNOSUPPORT' || error.code === 'EADDRNOTAVAIL';
      resolvePromise(unsupported ? 'unsupported' : 'busy');
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolvePromise('free'));
    });
  });
}

export interface FreePortOptions {
  /** First port to try; busy ports are skipped upwards. */
  preferred: number;
  /** How many consecutive ports to try before giving up. */
  attempts?: number;
  /** Ports already handed out in this process (bind checks cannot see servers not yet started). */
  exclude?: ReadonlySet<number>;
}

/** The first free port at or above `preferred`. Busy ports are skipped, never fought over. */
export async function findFreePort({ preferred, attempts = 100, exclude }: FreePortOptions): Promise<number> {
  for (let port = preferred; port < preferred + attempts && port <= 65_535; port++) {
    if (exclude?.has(port)) continue;
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port in ${preferred}..${preferred + attempts - 1}`);
}

/** A preferred port spread over a high range, so concurrent throwaway stacks rarely collide. */
export function randomHighPort(): number {
  return 20_000 + Math.floor(Math.random() * 30_000);
}

/** Called with a chosen port just before a server binds it: the seam where tests take the port first. */
export type PortHook = (port: number) => Promise<void>;

export interface StartOnFreePortOptions extends FreePortOptions {
  beforeBind?: PortHook;
  /** Ports to try after losing the race (default 5). */
  bindAttempts?: number;
  /** Told each port lost to another process, before the next try. */
  onLostRace?: (port: number) => void;
}

/**
 * Start a server on the first free port from `preferred`. Another process may take that port
 * between our check and the server's bind: then the server exits with EADDRINUSE ("Address already
 * in use") and we start it again on the next free port, leaving the other process alone.
 */
export async function startOnFreePort<T>(
  options: StartOnFreePortOptions,
  start: (port: number) => Promise<T>,
): Promise<T> {
  const { bindAttempts = 5, beforeBind, onLostRace, ...freePort } = options;
  let preferred = freePort.preferred;
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort({ ...freePort, preferred });
    await beforeBind?.(port);
    try {
      return await start(port);
    } catch (error) {
      if (!lostPortRace(error) || attempt === bindAttempts) throw error;
      onLostRace?.(port);
      preferred = port + 1;
    }
  }
}

/** A server that exited during start-up because its port was taken (Postgres, Redis and Node all say so). */
export function lostPortRace(error: unknown): boolean {
  return (
    error instanceof ProcessExitedError &&
    error.process.recentOutput.some((line) => /Address already in use|EADDRINUSE/i.test(line))
  );
}
