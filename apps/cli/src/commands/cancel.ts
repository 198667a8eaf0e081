import type { SweepCancelled } from '@frontline/contracts';
import { Command } from 'commander';
import { commandContext, sweepPath } from '../context.js';

export function cancelCommand(): Command {
  return new Command('cancel')
    .description('cancel a queued or running sweep (finished outcomes are kept)')
    .argument('<id>', 'sweep id')
    .action(async (id: string, _options, command: Command) => {
      const ctx = commandContext(command);
      const result = await ctx.client.post<SweepCancelled>(`${sweepPath(id)}/cancel`);
      if (ctx.json) return ctx.printJson(result);
      ctx.print(
        result.cancelled
          ? `cancelled sweep ${result.id}`
          : `sweep ${result.id} is already ${result.status}; nothing to cancel`,
      );
    });
}
