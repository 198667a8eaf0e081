import type { ExitStatus, ManagedProcess } from './process-group.js';

/** Anything the supervisor can stop: a server handle, or an app process with its stop policy. */
export interface Supervised {
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

interface Member {
  name: string;
  supervised: Supervised;
}

export function describeExit({ code, signal }: ExitStatus): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/**
 * Owns the children of one stack: notices any of them dying on its own, and stops them all in
 * reverse start order (worker → api → redis → postgres), each only once.
 */
export class Supervisor {
  private readonly members: Member[] = [];
  private shuttingDown = false;
  private shutdownDone: Promise<void> | undefined;
  private reportCrash: (description: string) => void = () => {};
  /** Resolves with a description when a child exits without being asked to. */
  readonly crashed: Promise<string>;

  constructor(private readonly log: (line: string) => void) {
    this.crashed = new Promise((resolvePromise) => {
      this.reportCrash = resolvePromise;
    });
  }

  add(name: string, supervised: Supervised): void {
    this.members.push({ name, supervised });
    const { process } = supervised;
    void process.exited.then((status) => {
      if (process.isStopping || this.shuttingDown) return;
      const description = `${name} (pid ${process.pid}) exited unexpectedly with ${describeExit(status)}`;
      this.log(description);
      this.reportCrash(description);
    });
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
    await Promise.all(this.members.map(({ supervised }) => supervised.process.kill9()));
  }

  private async stopAll(): Promise<void> {
    this.shuttingDown = true;
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
