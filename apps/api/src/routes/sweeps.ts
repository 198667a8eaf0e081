import {
  apiError,
  sweepRoutes as contracts,
  parseSweepSpec,
  type SweepLimits,
  type SweepSummary,
  submitSweepQuerySchema,
} from '@frontline/contracts';
import { deleteSweep, getSweep, listSweeps, type SweepProgress, sweepWorkerHosts } from '@frontline/db';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import type { SweepService } from '../sweep-service.js';
import { fromContract } from './contract.js';

/**
 * How long a deletion's statements may run, past the pool's bound on a silent connection
 * (DB_QUERY_TIMEOUT_MS): deleting a large `full` sweep, or waiting for a chunk being completed, takes
 * longer, and a deletion cut off is rolled back whole (docs/results.md). Silence is caught otherwise: every
 * DB_QUERY_TIMEOUT_MS the deletion checks that Postgres is still at its statement (deleteSweep's
 * aliveCheckMs).
 */
const sweepDeletionWaitMs = 30 * 60_000;

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** Public shape of a sweep (tenant, cohort seed and planning details kept internal). */
export function sweepView(sweep: SweepProgress): SweepSummary {
  const { tenantId: _t, cohortSeed: _s, axes: _a, referenceArm: _r, spec, ...view } = sweep;
  return {
    ...view,
    // Stored as accepted by parseSweepSpec: the contract's spec shape.
    spec: spec as SweepSummary['spec'],
    createdAt: sweep.createdAt.toISOString(),
    startedAt: iso(sweep.startedAt),
    finishedAt: iso(sweep.finishedAt),
  };
}

export async function loadSweep(pool: pg.Pool, id: string): Promise<SweepProgress> {
  const sweep = await getSweep(pool, id);
  if (!sweep) throw apiError('not_found', `no sweep ${id}`);
  return sweep;
}

function tenantScope(request: FastifyRequest) {
  return { tenantId: request.auth!.tenantId, db: request.tenantDb };
}

/** The spec is checked by parseSweepSpec (paths and rules of its own), not by the route's validator. */
const acceptBodyAsSent = () => (data: unknown) => ({ value: data });

export function sweepRoutes(deps: { pool: pg.Pool; sweeps: SweepService; limits?: SweepLimits }) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.submit),
      validatorCompiler: acceptBodyAsSent,
      handler: async (request, reply) => {
        const query = submitSweepQuerySchema.safeParse(request.query);
        if (!query.success)
          throw apiError('bad_request', 'dryRun: must be true or false', [
            { path: 'dryRun', rule: 'must be true or false' },
          ]);
        const parsed = parseSweepSpec(request.body, deps.limits);
        if (!parsed.ok) throw parsed.error;
        if (query.data.dryRun === 'true')
          return reply
            .status(200)
            .send(await deps.sweeps.dryRun(tenantScope(request), parsed.spec, parsed.warnings));
        const created = await deps.sweeps.submit(tenantScope(request), parsed.spec, parsed.warnings);
        request.log.info(
          { sweepId: created.id, simulations: created.simulations, reused: created.reused },
          'sweep submitted',
        );
        return reply.status(202).send(created);
      },
    });

    app.route({
      ...fromContract(contracts.list),
      handler: async (request) => {
        const page = await listSweeps(request.tenantDb, request.query);
        return { items: page.items.map(sweepView), nextCursor: page.nextCursor };
      },
    });

    app.route({
      ...fromContract(contracts.get),
      handler: async (request) => {
        const { id } = request.params;
        const sweep = sweepView(await loadSweep(request.tenantDb, id));
        return { ...sweep, workers: await sweepWorkerHosts(request.tenantDb, id) };
      },
    });

    app.route({
      ...fromContract(contracts.cancel),
      handler: async (request) => {
        const { id } = request.params;
        const cancelled = await deps.sweeps.cancel(tenantScope(request), id);
        return { ...sweepView(await loadSweep(request.tenantDb, id)), cancelled };
      },
    });

    app.route({
      ...fromContract(contracts.delete),
      handler: async (request) => {
        const { id } = request.params;
        const result = await deleteSweep(request.tenantDb, id, {
          statementWaitMs: sweepDeletionWaitMs,
          aliveCheckMs: request.tenantDb.options.query_timeout,
        });
        if (result.outcome === 'not_found') throw apiError('not_found', `no sweep ${id}`);
        if (result.outcome === 'active')
          throw apiError('conflict', `sweep ${id} is ${result.status}: cancel it before deleting it`);
        request.log.info({ sweepId: id, deleted: result.deleted }, 'sweep deleted');
        return { id, deleted: result.deleted };
      },
    });
  };
  return plugin;
}
