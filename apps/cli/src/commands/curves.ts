import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SurvivalGroup, SurvivalResponse } from '@frontline/contracts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { commandContext, sweepPath } from '../context.js';
import { callerDirectory } from '../env.js';
import { type Align, count, fraction, groupLabel, pValue, table, withInterval } from '../format.js';

const yearLabels: Record<string, string> = { '365': 'S(1y)', '730': 'S(2y)' };

function timeList(value: string): string {
  const times = value.split(',').map((t) => t.trim());
  if (times.length === 0 || times.some((t) => !/^\d+(\.\d+)?$/.test(t)))
    throw new InvalidArgumentError('must be a comma-separated list of days, e.g. 365,730');
  return times.join(',');
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2) throw new InvalidArgumentError('must be an integer ≥ 2');
  return n;
}

/** The readable summary: one row per group. */
export function curvesTable(survival: SurvivalResponse, times: readonly string[]): string {
  const hasLogRank = survival.groups.some((g) => g.logRank !== null);
  const headers = [
    'group',
    'patients',
    'events',
    'median days (95% CI)',
    ...times.map((t) => yearLabels[t] ?? `S(${t}d)`),
    ...(hasLogRank ? ['log-rank p'] : []),
  ];
  const { comparison } = survival;
  const isReference = (key: Record<string, number>) =>
    comparison.method === 'referenceArm' &&
    Object.entries(comparison.referenceArm).every(([axis, value]) => key[axis] === value);
  const rows = survival.groups.map((g) => [
    groupLabel(g.key),
    count(g.patients),
    count(g.events),
    withInterval(g.median.value, g.median.lower, g.median.upper),
    ...times.map((t) => fraction(g.survivalAt[t]?.survival)),
    ...(hasLogRank ? [isReference(g.key) ? 'reference' : pValue(g.logRank?.pValue)] : []),
  ]);
  const align = headers.map((_, i): Align => (i === 0 ? 'left' : 'right'));
  const notes: string[] = [];
  if (comparison.method === 'referenceArm') {
    notes.push(`log-rank: each group against the group with ${groupLabel(comparison.referenceArm)}`);
  } else if (comparison.logRank) {
    const { chiSq, df, pValue: p } = comparison.logRank;
    notes.push(
      `log-rank across all groups: χ² = ${chiSq === null ? 'NA' : chiSq.toFixed(2)} on ${df} df, p = ${pValue(p)}`,
    );
  }
  if (survival.partial) notes.push(`partial: the sweep is ${survival.status}; outcomes are still missing`);
  return [
    `${survival.endpoint.toUpperCase()} — sweep ${survival.sweepId}`,
    table(headers, rows, align),
    ...notes,
  ].join('\n');
}

const csvCell = (value: string | number | null | undefined) => {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Every curve in long format: one line per (group, event time). */
export function curvesCsv(groups: readonly SurvivalGroup[]): string {
  const axes = [...new Set(groups.flatMap((g) => Object.keys(g.key)))];
  const perPoint = groups.some((g) => g.pointIndex !== undefined);
  const fields = ['time', 'nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper'] as const;
  const header = ['group', ...(perPoint ? ['pointIndex'] : []), ...axes, ...fields];
  const lines = [header.join(',')];
  for (const g of groups) {
    const prefix = [groupLabel(g.key), ...(perPoint ? [g.pointIndex] : []), ...axes.map((a) => g.key[a])];
    for (let i = 0; i < g.curve.time.length; i++)
      lines.push([...prefix, ...fields.map((f) => g.curve[f][i])].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function curvesCommand(): Command {
  return new Command('curves')
    .description(
      'Kaplan–Meier summaries per group: patients, median with 95% CI, S at 1 and 2 years, log-rank',
    )
    .argument('<id>', 'sweep id')
    .addOption(
      new Option('-e, --endpoint <endpoint>', 'survival endpoint')
        .choices(['os', 'pfs', 'mfs'])
        .default('os'),
    )
    .option('-g, --group-by <axes>', 'comma-separated axes to group by (default: one group per point)')
    .option('--at <days>', 'times at which to read S(t)', timeList, '365,730')
    .option('--max-points <n>', 'thin each curve to at most n rows (values unchanged)', positiveInteger)
    .option('--csv <file>', 'also write the curves (one row per group and event time) to a CSV file')
    .action(
      async (
        id: string,
        options: { endpoint: string; groupBy?: string; at: string; maxPoints?: number; csv?: string },
        command: Command,
      ) => {
        const ctx = commandContext(command);
        const query = new URLSearchParams({ endpoint: options.endpoint, at: options.at });
        if (options.groupBy) query.set('groupBy', options.groupBy);
        // The table needs only the summaries (computed on the whole curve); don't download every row.
        const tableOnly = !options.csv && !ctx.json;
        const maxPoints = options.maxPoints ?? (tableOnly ? 2 : undefined);
        if (maxPoints) query.set('maxPoints', String(maxPoints));
        const survival = await ctx.client.get<SurvivalResponse>(`${sweepPath(id)}/survival?${query}`);
        if (options.csv) await writeFile(resolve(callerDirectory(), options.csv), curvesCsv(survival.groups));
        if (ctx.json) return ctx.printJson(survival);
        ctx.print(curvesTable(survival, options.at.split(',')));
        if (options.csv) ctx.print(`curves written to ${options.csv}`);
      },
    );
}
