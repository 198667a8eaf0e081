import { apiError, parseSweepSpec, type SweepLimits } from '@frontline/contracts';
import { getSweep, listSweeps, type SweepProgress, sweepWorkerHosts } from '@frontline/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { SweepService } from '../sweep-service.js';

export const sweepIdParams = z.object({ id: z.uuid({ error: 'must be a sweep id (UUID)' }) });

/** Public shape of a sweep (tenant kept internal). */
export function sweepView(sweep: SweepProgress) {
  const { tenantId: _tenant, cohortSeed: _seed, axes: _axes, referenceArm: _ref, ...view } = sweep;
  return view;
}

export async function loadSweep(pool: pg.Pool, id: string): Promise<SweepProgress> {
  const sweep = await getSweep(pool, id);
  if (!sweep) throw apiError('not_found', `no sweep ${id}`);
  return sweep;
}

function tenantScope(request: FastifyRequest) {
  return { tenantId: request.auth!.tenantId, db: request.tenantDb };
}

export function sweepRoutes(deps: { pool: pg.Pool; sweeps: SweepService; limits?: SweepLimits }) {
  return async (app: FastifyInstance) => {
    app.post(
      '/v1/sweeps',
      { config: { access: 'submit' }, schema: { summary: 'Submit a sweep', tags: ['sweeps'] } },
      async (request, reply) => {
        const parsed = parseSweepSpec(request.body, deps.limits);
        if (!parsed.ok) throw parsed.error;
        const created = await deps.sweeps.submit(tenantScope(request), parsed.spec, parsed.warnings);
        request.log.info(
          { sweepId: created.id, simulations: created.simulations, reused: created.reused },
          'sweep submitted',
        );
        return reply.status(202).send(created);
      },
    );

    app.get(
      '/v1/sweeps',
      {
        config: { access: 'read' },
        schema: {
          summary: 'List sweeps, newest first',
          tags: ['sweeps'],
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.uuid().optional(),
          }),
        },
      },
      async (request) => {
        const { limit, cursor } = request.query as { limit: number; cursor?: string };
        const page = await listSweeps(request.tenantDb, { limit, cursor });
        return { items: page.items.map(sweepView), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/v1/sweeps/:id',
      {
        config: { access: 'read' },
        schema: { summary: 'Sweep status and progress', tags: ['sweeps'], params: sweepIdParams },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const sweep = sweepView(await loadSweep(request.tenantDb, id));
        return { ...sweep, workers: await sweepWorkerHosts(request.tenantDb, id) };
      },
    );

    app.post(
      '/v1/sweeps/:id/cancel',
      {
        config: { access: 'submit' },
        schema: {
          summary: 'Cancel a sweep (keeps finished outcomes)',
          tags: ['sweeps'],
          params: sweepIdParams,
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const cancelled = await deps.sweeps.cancel(tenantScope(request), id);
        return { ...sweepView(await loadSweep(request.tenantDb, id)), cancelled };
      },
    );
  };
}
