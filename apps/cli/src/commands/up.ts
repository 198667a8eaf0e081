import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { projectRoot, stackEntry } from '@frontline/stack/paths';
import { Command } from 'commander';

const forwarded: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function upCommand(): Command {
  return new Command('up')
    .description('run the local stack (Postgres, Redis, API, workers) in the foreground; Ctrl-C stops it')
    .allowUnknownOption()
    .argument('[stackArgs...]', 'passed to the stack (e.g. --demo)')
    .action(async (stackArgs: string[]) => {
      // An installed `frontline` has no checkout beside it: the stack runs from one.
      if (!existsSync(stackEntry))
        throw new Error(
          `frontline up starts the local stack of a Frontline checkout, and none is at ${projectRoot}; run \`pnpm stack\` in a checkout, or point --api / FRONTLINE_API at a running API`,
        );
      const child = spawn(
        process.execPath,
        ['--conditions=@frontline/source', '--import', 'tsx', stackEntry, ...stackArgs],
        // Its own process group: a terminal's Ctrl-C reaches only us, and we pass it on exactly once
        // (a second SIGINT tells the stack to kill everything at once).
        { cwd: projectRoot, stdio: 'inherit', detached: true },
      );
      // The stack owns shutdown: pass our signals on and wait for it to finish stopping.
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      for (const signal of forwarded) process.on(signal, forward);
      const code = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (exitCode, signal) =>
          resolve(exitCode ?? (signal ? 128 + constants.signals[signal] : 1)),
        );
      });
      for (const signal of forwarded) process.off(signal, forward);
      process.exitCode = code;
    });
}
