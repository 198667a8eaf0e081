import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSameProcess, OwnershipFile, processStartTime, reclaimOrphans } from '../src/owned-processes.js';
import { ManagedProcess } from '../src/process-group.js';
import { Supervisor } from '../src/supervisor.js';

const scratch = mkdtempSync(join(tmpdir(), 'frontline-supervisor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in server: on SIGTERM it appends its name to `log` and exits. Resolves once its trap is set. */
async function fakeServer(name: string, log: string): Promise<ManagedProcess> {
  const script = `trap 'echo ${name} >> "${log}"; exit 0' TERM; echo up; while :; do sleep 0.1; done`;
  const server = await ManagedProcess.spawn(name, 'sh', ['-c', script]);
  await waitForOutput(server);
  return server;
}

const fastPolicy = { maxRestarts: 2, windowMs: 60_000, backoffMs: () => 10 };

/** A stand-in app that idles until killed; `kill9Unsupervised` crashes it as the OS would (not via stop). */
async function idleApp(name: string) {
  const app = await ManagedProcess.spawn(name, 'sh', ['-c', 'echo up; while :; do sleep 0.1; done']);
  await waitForOutput(app);
  return Object.assign(app, {
    kill9Unsupervised: async () => {
      process.kill(-app.pid, 'SIGKILL');
      await app.exited;
    },
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

function supervised(process: ManagedProcess) {
  return { process, stop: () => process.stop('SIGTERM', 5_000).then(() => {}) };
}

describe('Supervisor', () => {
  it('stops children in reverse start order: worker, api, redis, postgres', async () => {
    const log = join(scratch, 'stop-order');
    writeFileSync(log, '');
    const supervisor = new Supervisor(() => {});
    for (const name of ['postgres', 'redis', 'api', 'worker-1']) {
      supervisor.add(name, supervised(await fakeServer(name, log)));
    }
    await supervisor.shutdown();
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['worker-1', 'api', 'redis', 'postgres']);
    expect(supervisor.pids()).toEqual({});
  });

  it('reports a child that exits on its own as a crash', async () => {
    const supervisor = new Supervisor(() => {});
    const api = await ManagedProcess.spawn('api', 'sh', ['-c', 'exit 3']);
    supervisor.add('api', supervised(api));
    expect(await supervisor.crashed).toMatch(/^api \(pid \d+\) exited unexpectedly with code 3$/);
  });

  it('restarts a crashed app with backoff and says so; the replacement is supervised in turn', async () => {
    const said: string[] = [];
    const restarted: [string, number, number][] = [];
    const supervisor = new Supervisor(
      (line) => said.push(line),
      fastPolicy,
      (name, previous, next) => restarted.push([name, previous.process.pid, next.process.pid]),
    );
    const first = await idleApp('worker-1');
    supervisor.add('worker-1', supervised(first), async () => supervised(await idleApp('worker-1')));
    await first.kill9Unsupervised();
    await until(() => restarted.length === 1);
    const secondPid = supervisor.pids()['worker-1'];
    expect(secondPid).toBeDefined();
    expect(secondPid).not.toBe(first.pid);
    expect(restarted).toEqual([['worker-1', first.pid, secondPid]]);
    expect(said).toEqual([
      `worker-1 (pid ${first.pid}) exited unexpectedly with signal SIGKILL; restarting worker-1 in 0.01 s (restart 1 of 2 allowed within 60 s)`,
      `worker-1 restarted (pid ${secondPid})`,
    ]);
    await supervisor.shutdown();
    expect(supervisor.pids()).toEqual({});
  });

  it('gives up, and reports a crash, after the allowed restarts within the window', async () => {
    const said: string[] = [];
    const supervisor = new Supervisor((line) => said.push(line), fastPolicy);
    const crashing = async () => {
      const app = await ManagedProcess.spawn('api', 'sh', ['-c', 'echo up; sleep 0.2; exit 3']);
      await waitForOutput(app);
      return supervised(app);
    };
    supervisor.add('api', await crashing(), crashing);
    const description = await supervisor.crashed;
    expect(description).toMatch(
      /^api \(pid \d+\) exited unexpectedly with code 3; gave up after 2 restarts within 60 s$/,
    );
    expect(said.filter((line) => line.includes('restarting api'))).toHaveLength(2);
    expect(said.filter((line) => line.startsWith('api restarted'))).toHaveLength(2);
    await supervisor.shutdown();
  });

  it('SIGKILLs a child that ignores SIGTERM once its time is up, with everything it forked', async () => {
    const stubborn = await ManagedProcess.spawn('worker-1', 'sh', [
      '-c',
      "trap '' TERM; sleep 300 & echo $!; while :; do sleep 0.1; done",
    ]);
    await waitForOutput(stubborn);
    const grandchild = Number(stubborn.recentOutput[0]);
    const status = await stubborn.stop('SIGTERM', 300);
    expect(status.signal).toBe('SIGKILL');
    expect(processStartTime(grandchild)).toBeUndefined();
  });
});

describe('reclaimOrphans', () => {
  it('stops processes left by a dead owner, verified by pid and start time, and nothing else', async () => {
    const orphan = await ManagedProcess.spawn('redis', 'sh', ['-c', 'while :; do sleep 0.1; done']);
    const bystander = await ManagedProcess.spawn('bystander', 'sh', ['-c', 'while :; do sleep 0.1; done']);
    const path = join(scratch, 'processes.json');
    const deadOwner = spawnSync('true').pid ?? 0;
    const startTime = processStartTime(orphan.pid) ?? '';
    writeFileSync(
      path,
      JSON.stringify({
        owner: { pid: deadOwner, startTime: 'gone' },
        processes: [
          { name: 'redis', pid: orphan.pid, startTime, stopSignal: 'SIGTERM' },
          // The bystander's pid with another start time: a recycled pid must not be signalled.
          { name: 'api', pid: bystander.pid, startTime: 'someone-else', stopSignal: 'SIGTERM' },
        ],
      }),
    );
    try {
      const said: string[] = [];
      await reclaimOrphans(path, (line) => said.push(line));
      expect((await orphan.exited).signal).toBe('SIGTERM');
      expect(bystander.isRunning).toBe(true);
      expect(said).toEqual([`stopping redis (pid ${orphan.pid}) left running by an earlier run`]);
    } finally {
      await bystander.stop('SIGTERM', 1_000);
    }
  });

  it('refuses to touch processes whose owner still runs', async () => {
    const path = join(scratch, 'live-owner.json');
    const ownership = new OwnershipFile(path);
    ownership.add('self', process.pid, 'SIGTERM');
    await expect(reclaimOrphans(path, () => {})).rejects.toThrow(/belongs to running process/);
    expect(isSameProcess(process.pid, processStartTime(process.pid) ?? '')).toBe(true);
  });
});

async function waitForOutput(child: ManagedProcess): Promise<void> {
  for (let tries = 0; child.recentOutput.length === 0 && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
