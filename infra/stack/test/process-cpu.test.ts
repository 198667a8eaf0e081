import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { pinProcessTree, processTreeCpuSeconds } from '../src/process-cpu.js';

const allowedCpus = (pid: number) =>
  /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

// A child that burns 0.3 s of its own CPU (measured by itself, whatever the machine's load), says so, then waits.
const burner = `while (process.cpuUsage().user < 300000); console.log('burnt'); setTimeout(() => {}, 60000);`;

describe('process trees from /proc (benchmarks)', () => {
  it.skipIf(availableParallelism() < 2)(
    'pins a process and its descendants, and counts their CPU',
    async () => {
      const shell = spawn('sh', ['-c', `"${process.execPath}" -e "${burner}"; true`], {
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true, // its own process group, ended whole below
      });
      try {
        await new Promise<void>((resolve) => shell.stdout.on('data', () => resolve()));
        const child = Number(readFileSync(`/proc/${shell.pid}/task/${shell.pid}/children`, 'utf8').trim());
        expect(child).toBeGreaterThan(0);
        pinProcessTree([shell.pid!], '1');
        expect(allowedCpus(shell.pid!)).toBe('1');
        expect(allowedCpus(child)).toBe('1');
        expect(allowedCpus(process.pid)).not.toBe('1');
        // The child's 0.3 s counts towards its parent's tree (ticks of 10 ms); the shell's own CPU is ~0.
        expect(processTreeCpuSeconds([shell.pid!])).toBeGreaterThanOrEqual(0.29);
        expect(processTreeCpuSeconds([process.pid])).toBeGreaterThanOrEqual(
          processTreeCpuSeconds([shell.pid!]),
        );
      } finally {
        process.kill(-shell.pid!, 'SIGKILL');
      }
    },
  );
});
