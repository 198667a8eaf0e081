import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { outcomeExportColumnsFor, outcomeRowBatches, outcomesCsvStream } from '@frontline/db';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { CapacityOptions, HeavyGate } from '../capacity.js';
import { ndjsonChunks, parquetChunks } from '../outcome-formats.js';
import { heavyDb, isPartial, scopeOf } from './results.js';
import { loadSweep, sweepIdParams } from './sweeps.js';

const exportFormats = ['csv', 'parquet', 'ndjson'] as const;
type ExportFormat = (typeof exportFormats)[number];

const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const exportQuery = z.object({
  format: z.enum(exportFormats, { error: 'must be one of csv, parquet, ndjson' }).default('csv'),
});

/**
 * Abort an export whose client stopped reading: while the response is waiting for 'drain' and nothing
 * has drained for `stallMs`, destroy the body (which closes the COPY or cursor and gives its Postgres
 * connection back, or discards it) and the response. A slow Postgres is not a stall: only a full
 * response buffer with no progress counts.
 */
export function abortWhenStalled(
  response: ServerResponse,
  body: Readable,
  stallMs: number,
  log: FastifyBaseLogger,
): void {
  let lastProgress = Date.now();
  const progress = () => {
    lastProgress = Date.now();
  };
  response.on('drain', progress);
  const check = setInterval(
    () => {
      if (!response.writableNeedDrain) return progress();
      if (Date.now() - lastProgress < stallMs) return;
      clearInterval(check);
      log.warn({ stallMs }, 'export aborted: the client read nothing for EXPORT_STALL_MS');
      body.destroy(new Error(`export client read nothing for ${stallMs} ms (EXPORT_STALL_MS)`));
      response.destroy();
    },
    Math.max(50, Math.min(1_000, stallMs / 4)),
  );
  check.unref();
  response.once('close', () => {
    clearInterval(check);
    // The client went away (or the reply ended): never leave the source holding its connection.
    if (!body.readableEnded) body.destroy();
  });
}

/**
 * Every patient outcome of a sweep with its point index and axis values, streamed: CSV straight from
 * Postgres' COPY, NDJSON and Parquet from a server-side cursor. Columns are the same in every format
 * (MODEL.md §7 names in camelCase, see outcomeExportColumnsFor).
 */
export function outcomeExportRoutes(deps: {
  heavyPool: pg.Pool;
  gate: HeavyGate;
  capacity: CapacityOptions;
}) {
  return async (app: FastifyInstance) => {
    app.get(
      '/v1/sweeps/:id/outcomes',
      {
        config: { access: 'read' },
        schema: {
          summary: 'Export every patient outcome (CSV, Parquet or NDJSON), streamed',
          tags: ['results'],
          params: sweepIdParams,
          querystring: exportQuery,
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const { format } = request.query as z.infer<typeof exportQuery>;
        await deps.gate.enter(request, reply);
        const sweep = await loadSweep(request.tenantDb, id);
        const scope = scopeOf(sweep);
        const columns = outcomeExportColumnsFor(sweep.axes);
        const db = heavyDb(deps, request);
        const options = { statementTimeoutMs: deps.capacity.exportStatementTimeoutMs };
        let body: Readable;
        if (format === 'csv') body = await outcomesCsvStream(db, scope, columns, options);
        else {
          const batches = outcomeRowBatches(db, scope, columns, undefined, options);
          body = Readable.from(format === 'ndjson' ? ndjsonChunks(batches) : parquetChunks(columns, batches));
        }
        abortWhenStalled(reply.raw, body, deps.capacity.exportStallMs, request.log);
        return reply
          .type(contentTypes[format])
          .header('content-disposition', `attachment; filename="sweep-${id}.${format}"`)
          .header('x-frontline-partial', String(isPartial(sweep)))
          .send(body);
      },
    );
  };
}
