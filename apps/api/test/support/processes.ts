import { type ChildProcess, spawn } from 'node:child_process';
import { apiEntry, projectRoot, sourceNodeFlags, workerEntry } from '@frontline/stack';

export interface AppProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process logs a line matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
  output(): string;
}

/**
 * Start a real app process (`api` or `worker`) from source, as the local stack does; `nodeArgs` go
 * before the entry (a test-only `--import` preload, e.g. the faulty worker's).
 */
export function startApp(
  app: 'api' | 'worker',
  env: Record<string, string>,
  nodeArgs: string[] = [],
): AppProcess {
  const child = spawn(
    process.execPath,
    [...sourceNodeFlags, ...nodeArgs, app === 'api' ? apiEntry : workerEntry],
    {
      cwd: projectRoot,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (data: Buffer) => {
    log += data.toString();
    for (const w of [...waiters]) {
      const line = log.split('\n').find((l) => w.pattern.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid!,
    output: () => log,
    waitForLog(pattern, timeoutMs = 60_000) {
      const line = log.split('\n').find((l) => pattern.test(l));
      if (line) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`${app} did not log ${pattern} within ${timeoutMs} ms:\n${log.slice(-3000)}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) =>
          reject(new Error(`${app} exited (${code}) before logging ${pattern}:\n${log.slice(-3000)}`)),
        );
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
