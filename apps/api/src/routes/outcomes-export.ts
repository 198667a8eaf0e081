import { Readable } from 'node:stream';
import { outcomeExportColumnsFor, outcomeRowBatches, outcomesCsvStream } from '@frontline/db';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ndjsonChunks, parquetChunks } from '../outcome-formats.js';
import { isPartial, scopeOf } from './results.js';
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
 * Every patient outcome of a sweep with its point index and axis values, streamed: CSV straight from
 * Postgres' COPY, NDJSON and Parquet from a server-side cursor. Columns are the same in every format
 * (MODEL.md §7 names in camelCase, see outcomeExportColumnsFor).
 */
export function outcomeExportRoutes() {
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
        const sweep = await loadSweep(request.tenantDb, id);
        const scope = scopeOf(sweep);
        const columns = outcomeExportColumnsFor(sweep.axes);
        let body: Readable;
        if (format === 'csv') body = await outcomesCsvStream(request.tenantDb, scope, columns);
        else {
          const batches = outcomeRowBatches(request.tenantDb, scope, columns);
          body = Readable.from(format === 'ndjson' ? ndjsonChunks(batches) : parquetChunks(columns, batches));
        }
        return reply
          .type(contentTypes[format])
          .header('content-disposition', `attachment; filename="sweep-${id}.${format}"`)
          .header('x-frontline-partial', String(isPartial(sweep)))
          .send(body);
      },
    );
  };
}
