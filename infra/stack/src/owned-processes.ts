import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A process this project started, identified by pid *and* kernel start time, so a recycled pid
 * never makes us signal a stranger.
 */
export interface OwnedProcess {
  name: string;
  pid: number;
  startTime: string;
  stopSignal: NodeJS.Signals;
}

/** Written beside the state it guards; lets the next run clean up after a supervisor that was killed. */
export interface OwnershipRecord {
  owner: { pid: number; startTime: string };
  processes: OwnedProcess[];
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or undefined if gone / not Linux. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces; fields after it are space-separated.
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return afterName[19];
}

export function isSameProcess(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

export class OwnershipFile {
  private record: OwnershipRecord;

  constructor(readonly path: string) {
    this.record = {
      owner: { pid: process.pid, startTime: processStartTime(process.pid) ?? '' },
      processes: [],
    };
  }

  add(name: string, pid: number, stopSignal: NodeJS.Signals): void {
    const startTime = processStartTime(pid);
    if (startTime === undefined) return; // already gone, or no /proc: nothing we could verify later
    this.record.processes.push({ name, pid, startTime, stopSignal });
    this.write();
  }

  remove(pid: number): void {
    this.record.processes = this.record.processes.filter((owned) => owned.pid !== pid);
    this.write();
  }

  /** Delete the file once everything it lists has stopped. */
  clear(): void {
    rmSync(this.path, { force: true });
  }

  private write(): void {
    writeFileSync(this.path, `${JSON.stringify(this.record, null, 2)}\n`, { mode: 0o600 });
  }
}

export function readOwnership(path: string): OwnershipRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as OwnershipRecord;
  } catch {
    return undefined;
  }
}

/** The live owner of `path`, if the process that wrote it still runs. */
export function liveOwner(path: string): number | undefined {
  const record = readOwnership(path);
  if (!record) return undefined;
  return isSameProcess(record.owner.pid, record.owner.startTime) ? record.owner.pid : undefined;
}

/**
 * Stop processes recorded in `path` whose owner died without stopping them (e.g. SIGKILL), then
 * delete the file. Only processes whose pid and start time both match are signalled.
 */
export async function reclaimOrphans(path: string, log: (line: string) => void): Promise<void> {
  const record = readOwnership(path);
  if (!record) return;
  if (isSameProcess(record.owner.pid, record.owner.startTime)) {
    throw new Error(`${path} belongs to running process ${record.owner.pid}`);
  }
  // Stop in reverse start order, like a clean shutdown would have.
  for (const orphan of [...record.processes].reverse()) {
    if (!isSameProcess(orphan.pid, orphan.startTime)) continue;
    log(`stopping ${orphan.name} (pid ${orphan.pid}) left running by an earlier run`);
    await stopGroup(orphan, 15_000);
  }
  rmSync(path, { force: true });
}

async function stopGroup(orphan: OwnedProcess, timeoutMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-orphan.pid, sig);
      return true;
    } catch {
      return false;
    }
  };
  signal(orphan.stopSignal);
  for (let waited = 0; signal(0); waited += 100) {
    if (waited === timeoutMs) signal('SIGKILL');
    if (waited > timeoutMs + 5_000) throw new Error(`${orphan.name} (pid ${orphan.pid}) would not exit`);
    await sleep(100);
  }
}
