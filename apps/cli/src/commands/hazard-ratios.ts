import type { HazardRatiosResponse } from '@frontline/contracts';
import { Command, Option } from 'commander';
import { commandContext, sweepPath } from '../context.js';
import { type Align, count, groupLabel, pValue, table } from '../format.js';

const ratio = (value: number | null) => (value === null ? '–' : value.toFixed(3));

/** `0.620 (0.510–0.750)`, as a hazard ratio is reported. */
export function hazardRatioCell(hr: number | null, lower: number | null, upper: number | null): string {
  if (hr === null) return '–';
  return lower === null && upper === null ? ratio(hr) : `${ratio(hr)} (${ratio(lower)}–${ratio(upper)})`;
}

/** The readable table: one row per arm, its hazard ratio against the reference. */
export function hazardRatiosTable(answer: HazardRatiosResponse): string {
  const headers = ['arm', 'patients', 'distinct', 'events', 'HR (95% CI)', 'p'];
  const rows = answer.groups.map((g) => [
    groupLabel(g.key),
    count(g.patients),
    count(g.distinctPatients),
    count(g.events),
    g.reference ? 'reference' : hazardRatioCell(g.hazardRatio, g.lower, g.upper),
    g.reference ? '' : pValue(g.pValue),
  ]);
  const align = headers.map((_, i): Align => (i === 0 ? 'left' : 'right'));
  const notes = [
    `Cox (Efron ties), each arm against ${groupLabel(answer.referenceArm)}` +
      (answer.stratifiedBy.length > 0
        ? `, stratified by ${answer.stratifiedBy.join(', ')} (${answer.strata} strata of the same virtual patients)`
        : ''),
  ];
  const lr = answer.likelihoodRatio;
  if (lr)
    notes.push(
      `likelihood-ratio test: χ² = ${lr.chiSq?.toFixed(2) ?? 'NA'} on ${lr.df} df, p = ${pValue(lr.pValue)}`,
    );
  notes.push(...answer.warnings.map((w) => `warning: ${w}`));
  if (answer.partial) notes.push(`partial: the sweep is ${answer.status}; outcomes are still missing`);
  return [
    `${answer.endpoint.toUpperCase()} hazard ratios — sweep ${answer.sweepId}`,
    table(headers, rows, align),
    ...notes,
  ].join('\n');
}

export function hazardRatiosCommand(): Command {
  return new Command('hazard-ratios')
    .description(
      'Hazard ratio (95% CI, p) of each arm against the reference arm: Cox, stratified by pooled axes',
    )
    .argument('<id>', 'sweep id')
    .addOption(
      new Option('-e, --endpoint <endpoint>', 'survival endpoint')
        .choices(['os', 'pfs', 'mfs'])
        .default('os'),
    )
    .requiredOption('-g, --group-by <axis>', 'the axis whose values are the arms')
    .option('-r, --reference <value>', "the reference arm's value (default: the sweep's referenceArm)")
    .action(
      async (
        id: string,
        options: { endpoint: string; groupBy: string; reference?: string },
        command: Command,
      ) => {
        const ctx = commandContext(command);
        const query = new URLSearchParams({ endpoint: options.endpoint, groupBy: options.groupBy });
        if (options.reference !== undefined) query.set('reference', options.reference);
        const answer = await ctx.client.get<HazardRatiosResponse>(`${sweepPath(id)}/hazard-ratios?${query}`);
        if (ctx.json) return ctx.printJson(answer);
        ctx.print(hazardRatiosTable(answer));
      },
    );
}
