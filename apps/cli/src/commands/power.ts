import type { PowerResponse } from '@frontline/contracts';
import { Command, Option } from 'commander';
import { commandContext, sweepPath } from '../context.js';
import { type Align, count, groupLabel, table } from '../format.js';

const percent = (value: number | null) => (value === null ? '–' : `${(100 * value).toFixed(1)}%`);

/** The readable table: one row per sample size, Monte Carlo power with its interval and Schoenfeld beside. */
export function powerTable(answer: PowerResponse): string {
  const headers = ['patients/arm', 'power (95% CI)', 'Schoenfeld', 'expected events'];
  const rows = answer.rows.map((row) => [
    count(row.patientsPerArm),
    `${percent(row.power)} (${percent(row.lower)}–${percent(row.upper)})`,
    percent(row.schoenfeld),
    row.expectedEvents.toFixed(1),
  ]);
  const align = headers.map((): Align => 'right');
  const hr = answer.hazardRatio === null ? 'NA' : answer.hazardRatio.toFixed(3);
  const notes = [
    `${answer.rows[0]?.replicates ?? 0} virtual trials per size: ${groupLabel(answer.arm.key)} vs ${groupLabel(answer.reference.key)}, ` +
      `two-sided log-rank p < ${answer.alpha}; accrual ${answer.accrualDays} d, follow-up ${answer.followUpDays} d, seed ${answer.seed}`,
    `cohort hazard ratio ${hr}` +
      (answer.pooledAxes.length > 0
        ? `; each arm pools ${answer.pooledAxes.join(', ')} (a mixture of their settings)`
        : ''),
    ...answer.warnings.map((w) => `warning: ${w}`),
  ];
  if (answer.partial) notes.push(`partial: the sweep is ${answer.status}; outcomes are still missing`);
  return [
    `${answer.endpoint.toUpperCase()} power — sweep ${answer.sweepId}`,
    table(headers, rows, align),
    ...notes,
  ].join('\n');
}

export function powerCommand(): Command {
  return new Command('power')
    .description(
      'Virtual-trial power: how often a two-arm trial drawn from the simulated cohorts reaches p < alpha',
    )
    .argument('<id>', 'sweep id')
    .addOption(
      new Option('-e, --endpoint <endpoint>', 'survival endpoint')
        .choices(['os', 'pfs', 'mfs'])
        .default('os'),
    )
    .requiredOption('-g, --group-by <axis>', 'the axis whose values are the arms')
    .requiredOption('-a, --arm <value>', "the experimental arm's value")
    .option('-r, --reference <value>', "the control arm's value (default: the sweep's referenceArm)")
    .option('-n, --patients-per-arm <list>', 'sample sizes per arm', '50,100,200,400')
    .option('--alpha <alpha>', 'two-sided significance level', '0.05')
    .option('--replicates <n>', 'virtual trials per sample size', '1000')
    .option('--accrual-days <days>', 'uniform accrual period', '365')
    .option('--follow-up-days <days>', 'follow-up after the last enrolment', '730')
    .option('--seed <seed>', 'seed of the virtual trials', '1')
    .action(
      async (
        id: string,
        options: {
          endpoint: string;
          groupBy: string;
          arm: string;
          reference?: string;
          patientsPerArm: string;
          alpha: string;
          replicates: string;
          accrualDays: string;
          followUpDays: string;
          seed: string;
        },
        command: Command,
      ) => {
        const ctx = commandContext(command);
        // The API checks every value and names the rule it breaks.
        const query = new URLSearchParams({
          endpoint: options.endpoint,
          groupBy: options.groupBy,
          arm: options.arm,
          patientsPerArm: options.patientsPerArm,
          alpha: options.alpha,
          replicates: options.replicates,
          accrualDays: options.accrualDays,
          followUpDays: options.followUpDays,
          seed: options.seed,
        });
        if (options.reference !== undefined) query.set('reference', options.reference);
        const answer = await ctx.client.get<PowerResponse>(`${sweepPath(id)}/power?${query}`);
        if (ctx.json) return ctx.printJson(answer);
        ctx.print(powerTable(answer));
      },
    );
}
