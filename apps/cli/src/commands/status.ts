import type { SweepStatus } from '@frontline/contracts';
import { Command } from 'commander';
import { commandContext, sweepPath } from '../context.js';
import { count, duration } from '../format.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('show a sweep: state, progress, rate and ETA')
    .argument('<id>', 'sweep id')
    .action(async (id: string, _options, command: Command) => {
      const ctx = commandContext(command);
      const sweep = await ctx.client.get<SweepStatus>(sweepPath(id));
      if (ctx.json) return ctx.printJson(sweep);
      const { done, total, failed, reused, cohort } = sweep.progress;
      const percent = total > 0 ? ((100 * done) / total).toFixed(1) : '100.0';
      const lines: [string, string][] = [
        ['sweep', `${sweep.id}  ${sweep.name}`],
        ['status', sweep.status + (sweep.failureReason ? ` — ${sweep.failureReason}` : '')],
        [
          'points',
          `${count(sweep.points)} × ${cohort ? 'up to ' : ''}${count(sweep.patients)} patients (priority ${sweep.priority})`,
        ],
        [
          'progress',
          `${count(done)}/${count(total)} simulations (${percent}%), ${count(reused)} reused, ${count(failed)} failed`,
        ],
        // An adaptive cohort (docs/adaptive-cohorts.md): its round and the points still adding patients.
        ...(cohort
          ? ([['rounds', `round ${cohort.round}, ${count(cohort.pointsRunning)} points running`]] as [
              string,
              string,
            ][])
          : []),
        ['rate', sweep.ratePerSecond === null ? '–' : `${sweep.ratePerSecond.toFixed(1)} simulations/s`],
        ['eta', duration(sweep.etaSeconds)],
        ['created', sweep.createdAt],
        ['started', sweep.startedAt ?? '–'],
        ['finished', sweep.finishedAt ?? '–'],
      ];
      for (const [label, value] of lines) ctx.print(`${label.padEnd(9)} ${value}`);
    });
}
