import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { apiError, resultRoutes as contracts, type ExportFormat } from '@frontline/contracts';
import { forTenant, outcomeExportColumnsFor, outcomeRowBatches, outcomesCsvStream } from '@frontline/db';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { CapacityOptions, HeavyGate } from '../capacity.js';
import { ndjsonChunks, parquetChunks } from '../outcome-formats.js';
import { fromContract, sendAsIs } from './contract.js';
import { isPartial, scopeOf } from './result-scope.js';
import { loadSweep } from './sweeps.js';

const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

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
  exportPool: pg.Pool;
  gate: HeavyGate;
  capacity: CapacityOptions;
  /** How long Postgres may send nothing while an export waits on it (DB_QUERY_TIMEOUT_MS; ExportOptions). */
  silenceMs?: number;
}) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.outcomes),
      handler: async (request, reply) => {
        const { id } = request.params;
        const { format } = request.query;
        await deps.gate.enter(request, reply);
        const sweep = await loadSweep(request.tenantDb, id);
        if (sweep.outcomes === 'summary')
          throw apiError(
            'conflict',
            `sweep ${id} was run with outcomes: summary: it keeps survival tables and point summaries, no per-patient rows to export (submit with outcomes: full to export them)`,
            [{ path: 'spec.outcomes', rule: 'exports need outcomes: full' }],
          );
        const scope = scopeOf(sweep);
        const columns = outcomeExportColumnsFor(sweep.axes, sweep.modelId);
        const db = forTenant(deps.exportPool, request.auth!.tenantId);
        const options = {
          statementTimeoutMs: deps.capacity.exportStatementTimeoutMs,
          silenceMs: deps.silenceMs,
        };
        let body: Readable;
        if (format === 'csv') body = await outcomesCsvStream(db, scope, columns, options);
        else {
          const batches = outcomeRowBatches(db, scope, columns, undefined, options);
          body = Readable.from(format === 'ndjson' ? ndjsonChunks(batches) : parquetChunks(columns, batches));
        }
        abortWhenStalled(reply.raw, body, deps.capacity.exportStallMs, request.log);
        reply
          .type(contentTypes[format])
          .header('content-disposition', `attachment; filename="sweep-${id}.${format}"`)
          .header('x-frontline-partial', String(isPartial(sweep)));
        return sendAsIs(reply, body);
      },
    });
  };
  return plugin;
}
