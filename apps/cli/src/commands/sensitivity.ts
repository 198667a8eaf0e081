import {
  type IndexEstimateView,
  type SensitivityResponse,
  sensitivityMetrics,
  survivalEndpoints,
} from '@frontline/contracts';
import { Command, Option } from 'commander';
import { commandContext, sweepPath } from '../context.js';
import { type Align, count, fraction, table } from '../format.js';

/** `0.412 (0.301–0.520)`: an index and its bootstrap interval. */
const index = (e: IndexEstimateView) => `${fraction(e.value)} (${fraction(e.lower)}–${fraction(e.upper)})`;

function sensitivityTable(response: SensitivityResponse): string {
  const level = `${Math.round(response.bootstrap.level * 100)}% CI`;
  const headers = ['axis', `first order (${level})`, `total (${level})`];
  const rows = response.axes.map((a) => [a.axis, index(a.first), index(a.total)]);
  const align: Align[] = ['left', 'right', 'right'];
  return table(headers, rows, align);
}

function metricLabel(response: SensitivityResponse): string {
  const { metric, endpoint, at } = response;
  if (metric === 'survivalAt') return `${endpoint.toUpperCase()} S(${at})`;
  if (metric === 'rmst')
    return `${endpoint.toUpperCase()} RMST${at === null ? ' to the horizon' : ` to ${at} d`}`;
  if (metric === 'median') return `median ${endpoint.toUpperCase()}`;
  return metric;
}

export function sensitivityCommand(): Command {
  return new Command('sensitivity')
    .description(
      'Sobol first-order and total indices per axis of a saltelli sweep, with intervals and the cohort-noise share',
    )
    .argument('<id>', 'sweep id')
    .addOption(
      new Option('--metric <metric>', 'per-point metric').choices(sensitivityMetrics).default('survivalAt'),
    )
    .addOption(
      new Option('--endpoint <endpoint>', 'survival endpoint').choices(survivalEndpoints).default('os'),
    )
    .option('--at <days>', 'time of S(t) (default 730), or the RMST horizon τ')
    .action(
      async (id: string, options: { metric: string; endpoint: string; at?: string }, command: Command) => {
        const ctx = commandContext(command);
        const query = new URLSearchParams({ endpoint: options.endpoint, metric: options.metric });
        if (options.at !== undefined) query.set('at', options.at);
        const response = await ctx.client.get<SensitivityResponse>(`${sweepPath(id)}/sensitivity?${query}`);
        if (ctx.json) return ctx.printJson(response);
        const points = response.samples * (response.axes.length + 2);
        ctx.print(
          `sweep ${response.sweepId} — ${metricLabel(response)}: ${count(response.samples)} base rows, ` +
            `${count(points)} points × ${count(response.patients)} patients`,
        );
        ctx.print(sensitivityTable(response));
        const noise = response.cohortNoise;
        ctx.print(
          `cohort noise: ${(100 * noise.share).toFixed(1)}% of the metric's variance across points ` +
            `(warning above ${(100 * noise.threshold).toFixed(0)}%)`,
        );
        for (const warning of response.warnings) ctx.print(`warning: ${warning}`);
      },
    );
}
