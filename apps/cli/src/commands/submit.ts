import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SweepCreated } from '@frontline/contracts';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { commandContext } from '../context.js';
import { callerDirectory } from '../env.js';
import { count } from '../format.js';
import { exitCodeFor, watchAndReport, watchSweep } from './watch.js';

/**
 * A spec file, YAML or JSON (JSON is YAML), relative to the directory `frontline` was run from;
 * errors name the absolute path tried, and a parse error the line.
 */
export async function readSpec(given: string): Promise<unknown> {
  const path = resolve(callerDirectory(), given);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    return parseYaml(text);
  } catch (error) {
    throw new Error(`${path} is not valid YAML/JSON: ${(error as Error).message}`);
  }
}

export function submitCommand(): Command {
  return new Command('submit')
    .description('submit a sweep spec (YAML or JSON)')
    .argument('<spec>', 'path to the sweep spec')
    .option('-w, --watch', 'follow the sweep until it ends (exit status as `frontline watch`)')
    .action(async (path: string, options: { watch?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const created = await ctx.client.post<SweepCreated>('/v1/sweeps', await readSpec(path));
      if (ctx.json) process.stdout.write(`${JSON.stringify(created)}\n`);
      else {
        ctx.print(`submitted sweep ${created.id} (${created.status})`);
        ctx.print(
          `  ${count(created.points)} points × ${count(created.patients)} patients = ${count(created.simulations)} simulations, ${count(created.reused)} reused from earlier sweeps`,
        );
        for (const warning of created.warnings) ctx.print(`  warning: ${warning}`);
      }
      if (options.watch) {
        if (ctx.json) {
          // One JSON document per line: the submission, then the final status.
          const final = await watchSweep(ctx, created.id);
          process.stdout.write(`${JSON.stringify(final)}\n`);
          process.exitCode = exitCodeFor(final.status);
        } else await watchAndReport(ctx, created.id);
      }
    });
}
