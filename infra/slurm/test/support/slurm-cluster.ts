// A one-node SLURM cluster for a test: munged, slurmctld and slurmd from Debian's slurm-wlm and
// munge, with a generated slurm.conf in a scratch folder, on free ports, each a child process of
// the test (foreground mode) that stop() ends by pid.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { findFreePort, randomHighPort } from '@frontline/stack';

export type SlurmCluster = Awaited<ReturnType<typeof startSlurmCluster>>;

export async function startSlurmCluster() {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-slurm-'));
  chmodSync(dir, 0o755); // munged insists that its socket's folder be reachable by everyone
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
  const keyFile = join(dir, 'munge.key');
  writeFileSync(keyFile, randomBytes(1024), { mode: 0o400 });
  const socket = join(dir, 'munge.sock');
  const controllerPort = await findFreePort({ preferred: randomHighPort() });
  const nodePort = await findFreePort({ preferred: controllerPort + 1 });
  const node = hostname();
  const cpus = availableParallelism();
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=frontline-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmctldPort=${controllerPort}`,
      `SlurmdPort=${nodePort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      // No cgroup hierarchy to delegate here: track processes by parentage, bind no CPUs.
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'MpiDefault=none',
      'ReturnToService=2',
      // scancel: SIGTERM, then SIGKILL after this long — longer than a test chunk takes to finish.
      'KillWait=60',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${Math.floor(totalmem() / 2 ** 20) - 512} State=UNKNOWN`,
      'PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const daemons: ChildProcess[] = [];
  const daemon = (command: string, args: string[]) => {
    const child = spawn(command, args, { env, stdio: 'ignore' });
    daemons.push(child);
    return child;
  };
  daemon('munged', [
    '--foreground',
    '--force',
    `--key-file=${keyFile}`,
    `--socket=${socket}`,
    `--pid-file=${dir}/munged.pid`,
    `--log-file=${dir}/munged.log`,
    `--seed-file=${dir}/munge.seed`,
  ]);
  const slurm = (command: string, args: string[], extraEnv: Record<string, string> = {}) =>
    execFileSync(command, args, { env: { ...env, ...extraEnv }, encoding: 'utf8' }).trim();
  const stop = async () => {
    for (const child of daemons.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('the munged socket', () => existsSync(socket));
    daemon('slurmctld', ['-D', '-f', conf]);
    daemon('slurmd', ['-D', '-f', conf]);
    await waitFor('the node to be idle', () => slurm('sinfo', ['--noheader', '--format=%t']) === 'idle');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    dir,
    conf,
    node,
    cpus,
    /** Run a SLURM client command (sbatch, squeue, scancel, scontrol) against this cluster. */
    slurm,
    /** Job ids (array tasks as 12_0) still known to squeue. */
    queuedJobs: () => slurm('squeue', ['--noheader', '--format=%i %T']).split('\n').filter(Boolean),
    stop,
  };
}

export async function waitFor(what: string, ready: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (ready()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
