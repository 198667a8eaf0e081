import { projectRoot } from './paths.js';
import { type PortHook, startOnFreePort } from './ports.js';
import { type LineSink, ManagedProcess } from './process-group.js';
import type { Supervised } from './supervisor.js';
import { httpOk, waitUntil } from './wait.js';

export interface AppSpec {
  /** e.g. 'api', 'worker-1'. */
  name: string;
  /** TypeScript entry, run as live source through tsx (no build needed). */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Node flags before the source flags (the worker's kernel V8 flags). */
  nodeFlags?: readonly string[];
  onLine?: LineSink;
}

/** Node flags that run workspace packages from source, as everywhere in dev and tests. */
export const sourceNodeFlags = ['--conditions=@frontline/source', '--import', 'tsx'] as const;

/** Start one of our Node apps (API, worker) in its own process group, from the project root. */
export function startApp(spec: AppSpec): Promise<ManagedProcess> {
  return ManagedProcess.spawn(
    spec.name,
    process.execPath,
    [...(spec.nodeFlags ?? []), ...sourceNodeFlags, spec.entry],
    {
      cwd: projectRoot,
      env: spec.env,
      onLine: spec.onLine,
    },
  );
}

export interface ServedAppSpec extends Omit<AppSpec, 'env'> {
  /** The app's environment, given the port it is to listen on. */
  env(port: number): NodeJS.ProcessEnv;
  /** First port to try; `fixedPort` allows no other. */
  preferredPort: number;
  fixedPort?: boolean;
  /** Ports promised to the stack's other servers; ours is added while it runs. */
  promisedPorts: Set<number>;
  /** Answers 200 once the app is ready: `/readyz` (API) or `/healthz` (worker). */
  readyPath: string;
  readyTimeoutMs: number;
  /** Graceful stop: SIGTERM, then SIGKILL after this long (workers finish running chunks). */
  stopTimeoutMs: number;
  /** Told each spawned process at once, so a stack killed mid-start still knows what to reclaim. */
  onSpawned?: (process: ManagedProcess) => void;
  beforeBind?: PortHook;
  /** Where the stack says that a port was lost to another process. */
  log?: (line: string) => void;
}

export interface ServedApp extends Supervised {
  readonly port: number;
  readonly url: string;
}

/**
 * Start an app that listens on a port and wait until it answers `readyPath`. A port taken between
 * our check and the app's bind makes it exit with EADDRINUSE: then it starts again on the next one.
 */
export function startServedApp(spec: ServedAppSpec, signal?: AbortSignal): Promise<ServedApp> {
  return startOnFreePort(
    {
      preferred: spec.preferredPort,
      exclude: spec.promisedPorts,
      beforeBind: spec.beforeBind,
      bindAttempts: spec.fixedPort ? 1 : 5,
      attempts: spec.fixedPort ? 1 : 100,
      onLostRace: (port) =>
        spec.log?.(`${spec.name}: port ${port} was taken before it could bind it; trying the next free port`),
    },
    async (port) => {
      spec.promisedPorts.add(port);
      const url = `http://127.0.0.1:${port}`;
      const child = await startApp({
        name: spec.name,
        entry: spec.entry,
        env: spec.env(port),
        nodeFlags: spec.nodeFlags,
        onLine: spec.onLine,
      });
      spec.onSpawned?.(child);
      const stop = async () => {
        await child.stop('SIGTERM', spec.stopTimeoutMs);
        spec.promisedPorts.delete(port);
      };
      try {
        await waitUntil(() => httpOk(`${url}${spec.readyPath}`), {
          what: `${spec.name} at ${url}${spec.readyPath}`,
          timeoutMs: spec.readyTimeoutMs,
          process: child,
          signal,
        });
      } catch (error) {
        await stop();
        throw error;
      }
      return { process: child, port, url, stop };
    },
  );
}
