import type { SweepList } from '@frontline/contracts';
import { Command, InvalidArgumentError } from 'commander';
import { commandContext } from '../context.js';
import { count, table } from '../format.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function listCommand(): Command {
  return new Command('list')
    .description('list sweeps, newest first')
    .option('-n, --limit <n>', 'how many', positiveInteger, 20)
    .action(async (options: { limit: number }, command: Command) => {
      const ctx = commandContext(command);
      const page = await ctx.client.get<SweepList>(`/v1/sweeps?limit=${options.limit}`);
      if (ctx.json) return ctx.printJson(page);
      if (page.items.length === 0)
        return ctx.print('no sweeps yet — submit one with `frontline submit spec.yaml`');
      ctx.print(
        table(
          ['id', 'name', 'status', 'progress', 'points × patients', 'created'],
          page.items.map((s) => [
            s.id,
            s.name,
            s.status,
            `${s.progress.total > 0 ? ((100 * s.progress.done) / s.progress.total).toFixed(0) : 100}%`,
            `${count(s.points)} × ${count(s.patients)}`,
            s.createdAt,
          ]),
          ['left', 'left', 'left', 'right', 'right', 'left'],
        ),
      );
    });
}
