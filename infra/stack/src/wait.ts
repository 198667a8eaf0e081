import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from './process-group.js';

export interface WaitOptions {
  /** What we wait for, for messages. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Stop waiting as soon as this process exits. */
  process?: ManagedProcess;
  signal?: AbortSignal;
}

export class ProcessExitedError extends Error {
  override name = 'ProcessExitedError';
  constructor(
    readonly process: ManagedProcess,
    what: string,
  ) {
    const output = process.recentOutput.slice(-10).join('\n    ');
    super(`${process.name} exited before ${what}${output ? `; its last output:\n    ${output}` : ''}`);
  }
}

/** Poll `probe` until it returns true; fail on timeout, abort, or the watched process exiting. */
export async function waitUntil(probe: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    if (options.process && !options.process.isRunning)
      throw new ProcessExitedError(options.process, options.what);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 200);
  }
}

/** True when GET `url` answers 200. */
export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status === 200;
}
