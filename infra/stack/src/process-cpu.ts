import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system, reaped children included) of these processes and their descendants so far, from
 * /proc (Linux; benchmarks read a server's share of the machine this way, which other load does not inflate).
 */
export function processTreeCpuSeconds(roots: readonly number[]): number {
  const ticksPerSecond = 100;
  const parentOf = new Map<number, number>();
  const ticksOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command: state ppid pgrp … utime(14) stime cutime cstime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parentOf.set(Number(entry), Number(fields[1]));
    ticksOf.set(
      Number(entry),
      Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    );
  }
  let ticks = 0;
  for (const [pid, own] of ticksOf) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parentOf.get(p))
      if (roots.includes(p)) {
        ticks += own;
        break;
      }
  }
  return ticks / ticksPerSecond;
}
