import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SweepCreated, SweepDryRun } from '@frontline/contracts';
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
    .option(
      '--dry-run',
      'answer what the sweep would cost (simulations, chunks, storage, ETA); create nothing',
    )
    .action(async (path: string, options: { watch?: boolean; dryRun?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      if (options.dryRun) {
        const plan = await ctx.client.post<SweepDryRun>('/v1/sweeps?dryRun=true', await readSpec(path));
        if (ctx.json) process.stdout.write(`${JSON.stringify(plan)}\n`);
        else printDryRun(ctx.print, plan);
        return;
      }
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

/** 2.4 kB, 60.0 MB, 20.0 GB. */
function bytesText(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

/** The dry run, one figure a line. */
function printDryRun(print: (line: string) => void, plan: SweepDryRun) {
  print('dry run: nothing was created');
  print(
    `  ${count(plan.points)} points × ${count(plan.patients)} patients = ${count(plan.simulations)} simulations, ${count(plan.reused)} reused, ${count(plan.toSimulate)} to run`,
  );
  print(`  ${count(plan.chunks)} chunks of up to ${count(plan.chunkSize)} simulations`);
  print(
    `  storage (estimate): ${bytesText(plan.storageBytes.full)} with outcomes: full, ${bytesText(plan.storageBytes.summary)} with outcomes: summary`,
  );
  print(
    plan.etaSeconds === null
      ? '  ETA: unknown (no simulations finished in the last minute)'
      : `  ETA: ~${Math.ceil(plan.etaSeconds)} s at the last minute's ${count(Math.round(plan.recentSimulationsPerSecond ?? 0))} simulations/s`,
  );
  for (const warning of plan.warnings) print(`  warning: ${warning}`);
}
