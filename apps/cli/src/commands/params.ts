import type { ModelParametersResponse } from '@frontline/contracts';
import { Command } from 'commander';
import { commandContext } from '../context.js';
import { table } from '../format.js';

const bound = (value: number | null) => (value === null ? '–' : String(value));

export function paramsCommand(): Command {
  return new Command('params')
    .description('list the model parameters: meaning, unit, default, allowed range, per-patient variation')
    .option('-m, --model <id>', "model version, e.g. lf-tid@2 (default: the API's default model)")
    .action(async (options: { model?: string }, command: Command) => {
      const ctx = commandContext(command);
      const query = options.model ? `?model=${encodeURIComponent(options.model)}` : '';
      const catalogue = await ctx.client.get<ModelParametersResponse>(`/v1/model/parameters${query}`);
      if (ctx.json) return ctx.printJson(catalogue);
      ctx.print(
        `parameters of ${catalogue.model} (set them in a spec's params, or vary them as design axes)`,
      );
      ctx.print(
        table(
          ['name', 'default', 'unit', 'min', 'max', 'per patient', 'description'],
          catalogue.parameters.map((p) => [
            p.name,
            Array.isArray(p.default) ? `[${p.default.join(', ')}]` : String(p.default),
            p.unit || '–',
            bound(p.min),
            bound(p.max),
            p.perPatient ? `yes (σ: ${p.name}Sigma)` : '',
            `${p.description}${p.integer ? ' Integer (grid axes only).' : ''}${p.sweepable ? '' : ' Not an axis.'}`,
          ]),
          ['left', 'right', 'left', 'right', 'right', 'left', 'left'],
        ),
      );
      ctx.print(
        'min/max are the bounds of the allowed range; `frontline --json params` gives the exact rule of each.',
      );
    });
}
