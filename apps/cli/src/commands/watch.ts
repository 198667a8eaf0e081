import type { SweepState, SweepStatus } from '@frontline/contracts';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { ApiResponseError } from '../api-client.js';
import { type CommandContext, commandContext, sweepPath } from '../context.js';
import { count, duration } from '../format.js';
import { type ProgressEvent, readProgressEvents } from '../progress-stream.js';

const ended: readonly SweepState[] = ['completed', 'failed', 'cancelled'];

/** Exit status of a watched sweep: 0 only when it completed. */
export function exitCodeFor(status: SweepState): number {
  return status === 'completed' ? 0 : status === 'failed' ? 1 : 2;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function progressLine(sweep: ProgressEvent): string {
  const { done, total } = sweep.progress;
  const percent = total > 0 ? ((100 * done) / total).toFixed(1) : '100.0';
  const rate = sweep.ratePerSecond === null ? '–' : `${Math.round(sweep.ratePerSecond)}/s`;
  return `${sweep.status} ${count(done)}/${count(total)} simulations (${percent}%), ${rate}, ETA ${duration(sweep.etaSeconds)}`;
}

function finalLine(sweep: SweepStatus): string {
  const { done, total, failed } = sweep.progress;
  const took =
    sweep.startedAt && sweep.finishedAt
      ? ` in ${duration((Date.parse(sweep.finishedAt) - Date.parse(sweep.startedAt)) / 1000)}`
      : '';
  const reason = sweep.failureReason ? `: ${sweep.failureReason}` : '';
  const failures = failed > 0 ? `, ${count(failed)} failed` : '';
  return `sweep ${sweep.id} ${sweep.status}${reason} — ${count(done)}/${count(total)} simulations${failures}${took}`;
}

/** Where progress comes from: the server's event stream, or polling where the stream is unavailable. */
async function* progressUpdates(
  ctx: CommandContext,
  id: string,
  intervalMs: number,
): AsyncGenerator<ProgressEvent> {
  let stream: Response | undefined;
  try {
    stream = await ctx.client.fetch('GET', `${sweepPath(id)}/events`, undefined, null);
  } catch (error) {
    // Unreachable API or unknown sweep: the same errors as a plain request, reported the same way.
    if (!(error instanceof ApiResponseError) || error.status !== 404 || !/no route/.test(error.message))
      throw error;
  }
  if (stream?.body) {
    for await (const { data } of readProgressEvents(stream.body as unknown as AsyncIterable<Uint8Array>))
      yield data;
    return;
  }
  for (;;) {
    const sweep = await ctx.client.get<SweepStatus>(sweepPath(id));
    yield sweep;
    if (ended.includes(sweep.status)) return;
    await sleep(intervalMs);
  }
}

/**
 * Follow the sweep until it ends — over its Server-Sent Events stream (polling an API without one)
 * — with a live bar (rate, ETA) on a terminal and a line per change otherwise. Returns the final status.
 */
export async function watchSweep(ctx: CommandContext, id: string, intervalMs = 1_000): Promise<SweepStatus> {
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
    for await (const update of progressUpdates(ctx, id, intervalMs)) {
      const payload = {
        rate: update.ratePerSecond === null ? '–/s' : `${Math.round(update.ratePerSecond)}/s`,
        eta: duration(update.etaSeconds),
        state: update.status,
      };
      if (bar) {
        if (!started) bar.start(update.progress.total, update.progress.done, payload);
        else bar.update(update.progress.done, payload);
        started = true;
      } else if (!ctx.json) {
        const line = progressLine(update);
        if (line !== lastLine) ctx.print(line);
        lastLine = line;
      }
    }
  } finally {
    bar?.stop();
  }
  // The stream ends with the sweep; its full final state (times, failure reason) comes from the API.
  return ctx.client.get<SweepStatus>(sweepPath(id));
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
