import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type LineSink = (line: string) => void;

export interface SpawnGroupOptions extends Pick<SpawnOptions, 'cwd' | 'env' | 'uid' | 'gid'> {
  /** Receives every output line; the caller decides how to prefix and where to print. */
  onLine?: LineSink;
}

/**
 * A child process that leads its own process group. Ctrl-C in the terminal goes to the foreground
 * group only, so children in their own groups wait for the supervisor to stop them in order.
 * Signals go to the group (negative pid): that reaches whatever the child forked, and nothing else.
 */
export class ManagedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  /** The last output lines, to explain an exit during start-up. */
  readonly recentOutput: string[] = [];
  private exitStatus: ExitStatus | undefined;
  private stopRequested = false;

  private constructor(
    readonly name: string,
    child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name}: spawn returned no pid`);
    this.pid = child.pid;
    this.exited = new Promise((resolvePromise) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolvePromise(this.exitStatus);
      });
    });
  }

  static spawn(name: string, command: string, args: readonly string[], options: SpawnGroupOptions = {}) {
    const { onLine, ...spawnOptions } = options;
    const child = spawn(command, args, {
      ...spawnOptions,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // spawn reports a missing executable asynchronously; wait for the pid or the error.
    return new Promise<ManagedProcess>((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.removeListener('error', reject);
        child.on('error', () => {}); // later errors (e.g. signalling a dead pid) surface via exit
        const managed = new ManagedProcess(name, child);
        for (const stream of [child.stdout, child.stderr]) {
          if (!stream) continue;
          createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
            managed.remember(line);
            onLine?.(line);
          });
        }
        resolvePromise(managed);
      });
    });
  }

  get isRunning(): boolean {
    return this.exitStatus === undefined;
  }

  /** True once stop() or kill9() was called, so an exit is expected rather than a crash. */
  get isStopping(): boolean {
    return this.stopRequested;
  }

  /**
   * Ask the group to stop with `signal`; after `timeoutMs` SIGKILL it. Resolves when the leader
   * has exited and no member of its group is left.
   */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitStatus> {
    this.stopRequested = true;
    if (this.isRunning) {
      this.signalGroup(signal);
      const deadline = new AbortController();
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        sleep(timeoutMs, true, { signal: deadline.signal }).catch(() => false),
      ]);
      deadline.abort(); // a pending timer would keep the caller's event loop alive
      if (timedOut) this.signalGroup('SIGKILL');
    }
    const status = await this.exited;
    await this.reapGroup();
    return status;
  }

  /** Crash the whole group at once (fault injection, or a second Ctrl-C). */
  async kill9(): Promise<ExitStatus> {
    this.stopRequested = true;
    this.signalGroup('SIGKILL');
    const status = await this.exited;
    await this.reapGroup();
    return status;
  }

  private remember(line: string): void {
    this.recentOutput.push(line);
    if (this.recentOutput.length > 30) this.recentOutput.shift();
  }

  /** Returns false when the group no longer exists. */
  private signalGroup(signal: NodeJS.Signals | 0): boolean {
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  }

  /** Group members that outlive the leader (e.g. Postgres backends) get a few seconds, then SIGKILL. */
  private async reapGroup(): Promise<void> {
    for (let waited = 0; this.signalGroup(0); waited += 100) {
      if (waited === 5_000) this.signalGroup('SIGKILL');
      if (waited > 10_000) throw new Error(`${this.name}: process group ${this.pid} would not exit`);
      await sleep(100);
    }
  }
}
