import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of a /proc …/stat file after the parenthesised command: state ppid pgrp … utime(11) stime(12) …. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Every process now in /proc: its parent and its CPU ticks (user + system, reaped children included). */
function processTable(): Map<number, { parent: number; ticks: number }> {
  const table = new Map<number, { parent: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // utime, stime, then cutime and cstime (reaped children).
    const fields = statFields(stat);
    table.set(Number(entry), {
      parent: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    });
  }
  return table;
}

/** The processes of the table that are these roots or descend from them. */
function treeOf(table: Map<number, { parent: number }>, roots: readonly number[]): number[] {
  const inTree: number[] = [];
  for (const pid of table.keys())
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = table.get(p)?.parent)
      if (roots.includes(p)) {
        inTree.push(pid);
        break;
      }
  return inTree;
}

/**
 * CPU seconds (user + system, reaped children included) of these processes and their descendants so far, from
 * /proc (Linux; benchmarks read a server's share of the machine this way, which other load does not inflate).
 */
export function processTreeCpuSeconds(roots: readonly number[]): number {
  const ticksPerSecond = 100;
  const table = processTable();
  return treeOf(table, roots).reduce((ticks, pid) => ticks + table.get(pid)!.ticks, 0) / ticksPerSecond;
}

/**
 * Pin these processes, every thread of theirs and every descendant to the CPUs listed (`taskset` syntax,
 * e.g. "0" or "1-3"); processes and threads they start later inherit it. Benchmarks use it to give servers
 * cores of their own, as separate machines would.
 */
export function pinProcessTree(roots: readonly number[], cpuList: string): void {
  for (const pid of treeOf(processTable(), roots)) {
    try {
      execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpuList, String(pid)], {
        stdio: 'ignore',
      });
    } catch {
      // exited meanwhile
    }
  }
}

/**
 * CPU seconds (user + system) of one thread of a process so far, e.g. a Node process's main thread (its
 * thread id is the process id), apart from its worker threads. Linux only, from /proc.
 */
export function threadCpuSeconds(pid: number, tid = pid): number {
  const fields = statFields(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds (user + system) of every thread of a process so far, by thread id (the main thread's is the
 * process id); threads that have exited are not listed. Linux only, from /proc.
 */
export function threadsCpuSeconds(pid: number): Map<number, number> {
  const byThread = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      byThread.set(Number(tid), threadCpuSeconds(pid, Number(tid)));
    } catch {
      // exited meanwhile
    }
  }
  return byThread;
}
