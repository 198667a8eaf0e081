import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import type { SweepState, SweepView } from '../api-types.js';
import { type CommandContext, commandContext, sweepPath } from '../context.js';
import { count, duration } from '../format.js';

const ended: readonly SweepState[] = ['completed', 'failed', 'cancelled'];

/** Exit status of a watched sweep: 0 only when it completed. */
export function exitCodeFor(status: SweepState): number {
  return status === 'completed' ? 0 : status === 'failed' ? 1 : 2;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function progressLine(sweep: SweepView): string {
  const { done, total } = sweep.progress;
  const percent = total > 0 ? ((100 * done) / total).toFixed(1) : '100.0';
  const rate = sweep.ratePerSecond === null ? '–' : `${Math.round(sweep.ratePerSecond)}/s`;
  return `${sweep.status} ${count(done)}/${count(total)} simulations (${percent}%), ${rate}, ETA ${duration(sweep.etaSeconds)}`;
}

function finalLine(sweep: SweepView): string {
  const { done, total, failed } = sweep.progress;
  const took =
    sweep.startedAt && sweep.finishedAt
      ? ` in ${duration((Date.parse(sweep.finishedAt) - Date.parse(sweep.startedAt)) / 1000)}`
      : '';
  const reason = sweep.failureReason ? `: ${sweep.failureReason}` : '';
  const failures = failed > 0 ? `, ${count(failed)} failed` : '';
  return `sweep ${sweep.id} ${sweep.status}${reason} — ${count(done)}/${count(total)} simulations${failures}${took}`;
}

/**
 * Poll the sweep until it ends, with a live bar (rate, ETA) on a terminal and a line per change
 * otherwise. Returns the final status.
 */
export async function watchSweep(ctx: CommandContext, id: string, intervalMs = 1_000): Promise<SweepView> {
  const live = !ctx.json && process.stderr.isTTY === true;
  const bar = live
    ? new SingleBar(
        {
          format: '{bar} {percentage}% | {value}/{total} simulations | {rate} | ETA {eta} | {state}',
          hideCursor: true,
          stream: process.stderr,
        },
        Presets.shades_classic,
      )
    : undefined;
  let lastLine = '';
  let started = false;
  try {
    for (;;) {
      const sweep = await ctx.client.get<SweepView>(sweepPath(id));
      const payload = {
        rate: sweep.ratePerSecond === null ? '–/s' : `${Math.round(sweep.ratePerSecond)}/s`,
        eta: duration(sweep.etaSeconds),
        state: sweep.status,
      };
      if (bar) {
        if (!started) bar.start(sweep.progress.total, sweep.progress.done, payload);
        else bar.update(sweep.progress.done, payload);
        started = true;
      } else if (!ctx.json) {
        const line = progressLine(sweep);
        if (line !== lastLine) ctx.print(line);
        lastLine = line;
      }
      if (ended.includes(sweep.status)) return sweep;
      await sleep(intervalMs);
    }
  } finally {
    bar?.stop();
  }
}

/** Watch, then report the end and set the exit code. */
export async function watchAndReport(ctx: CommandContext, id: string): Promise<void> {
  const sweep = await watchSweep(ctx, id);
  if (ctx.json) ctx.printJson(sweep);
  else ctx.print(finalLine(sweep));
  process.exitCode = exitCodeFor(sweep.status);
}

export function watchCommand(): Command {
  return new Command('watch')
    .description(
      'follow a sweep with a live progress bar until it ends (exit 0 completed, 1 failed, 2 cancelled)',
    )
    .argument('<id>', 'sweep id')
    .action(async (id: string, _options, command: Command) => watchAndReport(commandContext(command), id));
}
