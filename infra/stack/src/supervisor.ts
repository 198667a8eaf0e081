import { setTimeout as sleep } from 'node:timers/promises';
import type { ExitStatus, ManagedProcess } from './process-group.js';

/** Anything the supervisor can stop: a server handle, or an app process with its stop policy. */
export interface Supervised {
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts a replacement for a crashed child; resolves once it is ready. */
export type Restart = (signal: AbortSignal) => Promise<Supervised>;

export interface RestartPolicy {
  /** Restarts allowed per child within `windowMs`; one more and the supervisor gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Wait before the nth restart in the window (n from 1). */
  backoffMs(restart: number): number;
}

/** 1 s, 2 s, 4 s, 8 s, 16 s; a sixth crash within 10 minutes stops the stack. */
export const defaultRestartPolicy: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  backoffMs: (restart) => Math.min(1_000 * 2 ** (restart - 1), 30_000),
};

interface Member {
  name: string;
  supervised: Supervised;
  restart?: Restart;
  restartTimes: number[];
}

export function describeExit({ code, signal }: ExitStatus): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/**
 * Owns the children of one stack: restarts a crashed app (API, worker) with backoff, reports a crash
 * of anything else (or an app crashing too often) as fatal, and stops them all in reverse start
 * order (worker → api → redis → postgres), each only once.
 */
export class Supervisor {
  private readonly members: Member[] = [];
  private shuttingDown = false;
  private shutdownDone: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private readonly restarting = new Set<Promise<void>>();
  private reportCrash: (description: string) => void = () => {};
  /** Resolves with a description when a child exits without being asked to and is not restarted. */
  readonly crashed: Promise<string>;

  constructor(
    private readonly log: (line: string) => void,
    private readonly policy: RestartPolicy = defaultRestartPolicy,
    /** Told after a child was replaced (the stack rewrites its pids and URLs). */
    private readonly onRestarted: (name: string, previous: Supervised, next: Supervised) => void = () => {},
  ) {
    this.crashed = new Promise((resolvePromise) => {
      this.reportCrash = resolvePromise;
    });
  }

  /** Supervise a child; with `restart`, a crash starts a replacement instead of stopping the stack. */
  add(name: string, supervised: Supervised, restart?: Restart): void {
    const member: Member = { name, supervised, restart, restartTimes: [] };
    this.members.push(member);
    this.watch(member);
  }

  /** Pids of the children still running, by name. */
  pids(): Record<string, number> {
    const running = this.members.filter(({ supervised }) => supervised.process.isRunning);
    return Object.fromEntries(running.map(({ name, supervised }) => [name, supervised.process.pid]));
  }

  /** Stop every child, last started first. Safe to call more than once. */
  shutdown(): Promise<void> {
    this.shutdownDone ??= this.stopAll();
    return this.shutdownDone;
  }

  /** Second Ctrl-C: SIGKILL every child group right away (still only our own). */
  async killAll(): Promise<void> {
    this.shuttingDown = true;
    this.stopping.abort();
    await Promise.all(this.members.map(({ supervised }) => supervised.process.kill9()));
  }

  private watch(member: Member): void {
    const { process } = member.supervised;
    void process.exited.then((status) => {
      if (process.isStopping || this.shuttingDown || member.supervised.process !== process) return;
      const description = `${member.name} (pid ${process.pid}) exited unexpectedly with ${describeExit(status)}`;
      if (!member.restart) {
        this.log(description);
        this.reportCrash(description);
        return;
      }
      const restarting = this.restartWithBackoff(member, description);
      this.restarting.add(restarting);
      void restarting.finally(() => this.restarting.delete(restarting));
    });
  }

  /** Try until a replacement is ready, or the restart budget of the window is spent. */
  private async restartWithBackoff(member: Member, description: string): Promise<void> {
    const { maxRestarts, windowMs, backoffMs } = this.policy;
    let reason = description;
    for (;;) {
      const now = Date.now();
      member.restartTimes = member.restartTimes.filter((time) => now - time < windowMs);
      if (member.restartTimes.length >= maxRestarts) {
        const gaveUp = `${reason}; gave up after ${maxRestarts} restarts within ${windowMs / 1000} s`;
        this.log(gaveUp);
        this.reportCrash(gaveUp);
        return;
      }
      member.restartTimes.push(now);
      const attempt = member.restartTimes.length;
      const delay = backoffMs(attempt);
      this.log(
        `${reason}; restarting ${member.name} in ${delay / 1000} s (restart ${attempt} of ${maxRestarts} allowed within ${windowMs / 1000} s)`,
      );
      try {
        await sleep(delay, undefined, { signal: this.stopping.signal });
        const previous = member.supervised;
        const next = await (member.restart as Restart)(this.stopping.signal);
        if (this.shuttingDown) {
          await next.stop();
          return;
        }
        member.supervised = next;
        this.log(`${member.name} restarted (pid ${next.process.pid})`);
        this.onRestarted(member.name, previous, next);
        this.watch(member);
        return;
      } catch (error) {
        if (this.shuttingDown) return;
        reason = `${member.name} failed to restart: ${(error as Error).message}`;
      }
    }
  }

  private async stopAll(): Promise<void> {
    this.shuttingDown = true;
    this.stopping.abort();
    await Promise.allSettled([...this.restarting]);
    const failures: string[] = [];
    for (const { name, supervised } of [...this.members].reverse()) {
      if (!supervised.process.isRunning) continue;
      this.log(`stopping ${name} (pid ${supervised.process.pid})`);
      try {
        await supervised.stop();
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(`shutdown incomplete:\n  ${failures.join('\n  ')}`);
  }
}
