/** What the worker benchmarks share: starting the apps as the stack does, and running a sweep over HTTP. */
import { type ManagedProcess, startApp } from '@frontline/stack';

/** Start the API or a worker process (as the stack does) and wait for its `ready` log line. */
export async function startReadyApp(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  nodeFlags: string[] = [],
): Promise<ManagedProcess> {
  let markReady = () => {};
  const isReady = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const app = await startApp({
    name: entry,
    entry,
    nodeFlags,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    onLine: (line) => ready.test(line) && markReady(),
  });
  await Promise.race([
    isReady,
    app.exited.then((status) => {
      throw new Error(`${entry} exited (${JSON.stringify(status)}):\n${app.recentOutput.join('\n')}`);
    }),
  ]);
  return app;
}

export interface EndedSweep {
  id: string;
  status: string;
  progress: { done: number; total: number };
  /** The POST alone, to its 202. */
  submitSeconds: number;
}

/** Submit a sweep and poll it every 100 ms until it ends. */
export function sweepRunner(apiUrl: string, auth: Record<string, string>) {
  return async (body: object): Promise<EndedSweep> => {
    const posted = performance.now();
    const response = await fetch(`${apiUrl}/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    });
    const created = (await response.json()) as { id: string };
    if (response.status !== 202) throw new Error(`submit: ${response.status} ${JSON.stringify(created)}`);
    const submitSeconds = (performance.now() - posted) / 1000;
    let status: Omit<EndedSweep, 'submitSeconds'>;
    do {
      await new Promise((r) => setTimeout(r, 100));
      const poll = await fetch(`${apiUrl}/v1/sweeps/${created.id}`, { headers: auth });
      status = (await poll.json()) as typeof status;
    } while (status.status === 'queued' || status.status === 'running');
    return { ...status, id: created.id, submitSeconds };
  };
}
