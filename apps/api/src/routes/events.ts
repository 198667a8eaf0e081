import { sweepRoutes as contracts } from '@frontline/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { isEnded, type ProgressFeed, progressEvent, type SweepProgressEvent } from '../progress-feed.js';
import { fromContract } from './contract.js';
import { loadSweep } from './sweeps.js';

const keepAliveMs = 15_000;

/**
 * GET /v1/sweeps/{id}/events — Server-Sent Events: `progress` events (done/total, rate, ETA) as the
 * sweep advances, at most a few per second, then one `end` event with the final state, and the
 * stream closes. A client connecting to an ended sweep gets the `end` event at once.
 */
export function sweepEventRoutes(deps: { pool: pg.Pool; feed: ProgressFeed }) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    const open = new Set<() => void>();
    // SSE responses never finish on their own; end them so the server can close.
    app.addHook('preClose', async () => {
      for (const end of [...open]) end();
      deps.feed.close();
    });

    app.route({
      ...fromContract(contracts.events),
      handler: async (request, reply) => {
        const { id } = request.params;
        const sweep = await loadSweep(request.tenantDb, id);
        const log = request.log.child({ sweepId: id });
        reply.hijack();
        const stream = reply.raw;
        stream.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        stream.write('retry: 3000\n\n');

        let sequence = 0;
        let lastDone = -1;
        let closed = false;
        const send = (event: SweepProgressEvent) => {
          if (closed) return;
          const ended = isEnded(event.status);
          // Polls overlap across clients; never let one client see progress go backwards.
          if (!ended && event.progress.done < lastDone) return;
          lastDone = event.progress.done;
          sequence += 1;
          stream.write(
            `id: ${sequence}\nevent: ${ended ? 'end' : 'progress'}\ndata: ${JSON.stringify(event)}\n\n`,
          );
          if (ended) end();
        };
        let unsubscribe = () => {};
        const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), keepAliveMs);
        const end = () => {
          if (closed) return;
          closed = true;
          clearInterval(keepAlive);
          unsubscribe();
          open.delete(end);
          stream.end();
        };
        open.add(end);
        stream.once('close', end); // the client went away

        send(progressEvent(sweep));
        if (!closed) {
          unsubscribe = deps.feed.subscribe(id, send);
          log.debug('progress stream opened');
        }
      },
    });
  };
  return plugin;
}
