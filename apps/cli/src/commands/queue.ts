import type { QueueOverview } from '@frontline/contracts';
import { Command } from 'commander';
import { ApiResponseError } from '../api-client.js';
import { commandContext } from '../context.js';
import { count, duration, table } from '../format.js';

export function queueCommand(): Command {
  return new Command('queue')
    .description('show the work queue: waiting/active jobs, throughput and workers')
    .action(async (_options, command: Command) => {
      const ctx = commandContext(command);
      let overview: QueueOverview;
      try {
        overview = await ctx.client.get<QueueOverview>('/v1/queue');
      } catch (error) {
        if (error instanceof ApiResponseError && error.status === 404)
          throw new Error(
            `the API at ${ctx.client.baseUrl} has no queue view (GET /v1/queue answered 404); it needs a newer API version`,
          );
        throw error;
      }
      if (ctx.json) return ctx.printJson(overview);
      for (const queue of overview.queues) {
        ctx.print(
          `queue ${queue.name}${queue.paused ? ' (paused)' : ''}: ${count(queue.counts.waiting)} waiting, ${count(queue.counts.active)} active, ${count(queue.counts.delayed)} delayed, ${count(queue.counts.failed)} failed; ${queue.throughput.simulationsPerSecond.toFixed(1)} simulations/s over the last ${queue.throughput.windowSeconds}s; oldest waiting ${duration(queue.oldestWaitingAgeSeconds)}`,
        );
        if (queue.workers.length === 0) {
          ctx.print('no workers connected');
          continue;
        }
        const threads = queue.workers.reduce((sum, w) => sum + (w.threads ?? 0), 0);
        const busy = queue.workers.reduce((sum, w) => sum + (w.busy ?? 0), 0);
        const running = queue.workers.reduce((sum, w) => sum + w.runningChunks, 0);
        ctx.print(
          `${busy}/${threads} threads busy (at the workers' last heartbeat), ${count(running)} chunks running`,
        );
        ctx.print(
          table(
            ['worker', 'pid', 'threads', 'busy', 'chunks', 'last seen'],
            queue.workers.map((w) => [
              w.host,
              String(w.pid ?? '–'),
              String(w.threads ?? '–'),
              String(w.busy ?? '–'),
              String(w.runningChunks),
              w.lastSeenAt ?? '–',
            ]),
            ['left', 'right', 'right', 'right', 'right', 'left'],
          ),
        );
      }
    });
}
