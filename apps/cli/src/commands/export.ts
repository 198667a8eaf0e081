import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Command, Option } from 'commander';
import { commandContext, sweepPath } from '../context.js';
import { callerDirectory } from '../env.js';
import { count } from '../format.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('download every patient outcome of a sweep with its axis values (streamed to disk)')
    .argument('<id>', 'sweep id')
    .addOption(
      new Option('-f, --format <format>', 'file format').choices(['csv', 'parquet', 'ndjson']).default('csv'),
    )
    .option('-o, --output <file>', 'where to write ("-" for stdout; default sweep-<id>.<format>)')
    .action(async (id: string, options: { format: string; output?: string }, command: Command) => {
      const ctx = commandContext(command);
      const given = options.output ?? `sweep-${id}.${options.format}`;
      const output = given === '-' ? given : resolve(callerDirectory(), given);
      // No timeout: a large export streams for as long as it takes.
      const response = await ctx.client.fetch(
        'GET',
        `${sweepPath(id)}/outcomes?format=${options.format}`,
        undefined,
        null,
      );
      const partial = response.headers.get('x-frontline-partial') === 'true';
      const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      if (output === '-') {
        // stdout must stay open: write it by hand rather than through pipeline (which would end it).
        for await (const chunk of body) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
        return;
      }
      await pipeline(body, createWriteStream(output));
      const bytes = (await stat(output)).size;
      if (ctx.json)
        return ctx.printJson({ sweepId: id, format: options.format, file: output, bytes, partial });
      ctx.print(`wrote ${count(bytes)} bytes of ${options.format} to ${output}`);
      if (partial)
        ctx.print('partial: the sweep has not finished; the export holds the outcomes stored so far');
    });
}
