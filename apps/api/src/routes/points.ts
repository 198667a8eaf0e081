import { apiError, resultRoutes as contracts, type PointsResponse } from '@frontline/contracts';
import { packedSurvivalCounts, pointSummaries, sweepPointAxes } from '@frontline/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { fromContract } from './contract.js';
import { defaultTimes, heavyDb, horizonOf, isPartial, type ResultDeps, scopeOf } from './result-scope.js';
import { loadSweep } from './sweeps.js';

/** GET /v1/sweeps/{id}/points: one row per parameter point, a page at a time. */
export function pointsRoutes(deps: ResultDeps) {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    app.route({
      ...fromContract(contracts.points),
      handler: async (request, reply): Promise<PointsResponse> => {
        const { id } = request.params;
        const { query } = request;
        const pageLimit = deps.capacity.maxPointsPerPage;
        if (query.limit !== undefined && query.limit > pageLimit)
          throw apiError(
            'limit_exceeded',
            `limit=${query.limit} is more points than one page holds: at most ${pageLimit} (maxPointsPerPage)`,
            [{ path: 'querystring.limit', rule: `at most ${pageLimit} (maxPointsPerPage)` }],
          );
        const range = { offset: query.offset, limit: query.limit ?? pageLimit };
        await deps.gate.enter(request, reply);
        const db = heavyDb(deps, request);
        const sweep = await loadSweep(request.tenantDb, id);
        const scope = scopeOf(sweep);
        const points = await sweepPointAxes(db, id, range);
        const pointIds = points.map((p) => p.pointId);
        // The tables packed as read: the statistics threads decode them.
        const [summaries, os, pfs] = await Promise.all([
          pointSummaries(db, scope, range),
          packedSurvivalCounts(db, scope, 'os', pointIds),
          packedSurvivalCounts(db, scope, 'pfs', pointIds),
        ]);
        const endpoints = await deps.stats.points({
          pointIds,
          os,
          pfs,
          taus: points.map((point) => horizonOf(sweep, point.axisValues)),
          at: defaultTimes,
        });
        const summaryByIndex = new Map(summaries.map((summary) => [summary.pointIndex, summary]));
        const end = range.offset + points.length;
        return {
          sweepId: sweep.id,
          status: sweep.status,
          partial: isPartial(sweep),
          axes: sweep.axes,
          totalPoints: sweep.points,
          offset: range.offset,
          nextOffset: end < sweep.points && points.length === range.limit ? end : null,
          points: points.map((point, i) => {
            const stats = summaryByIndex.get(point.pointIndex)!;
            return {
              pointIndex: point.pointIndex,
              axisValues: point.axisValues,
              patients: stats.patients,
              ...(stats.cohort ? { cohort: stats.cohort } : {}),
              os: endpoints[i]!.os,
              pfs: endpoints[i]!.pfs,
              curedFraction: stats.curedFraction,
              medianLeaderFractionAtDiagnosis: stats.medianLeaderFractionAtDiagnosis,
              bestResponse: stats.bestResponse,
              objectiveResponseRate: stats.trial?.objectiveResponseRate ?? null,
              toxicDeaths: stats.trial?.toxicDeaths ?? null,
              toxicDeathFraction: stats.trial?.toxicDeathFraction ?? null,
              meanDoseIntensity: stats.trial?.meanDoseIntensity ?? null,
              grade4NeutropeniaRate: stats.trial?.grade4NeutropeniaRate ?? null,
              recistBestResponse: stats.trial?.recistBestResponse ?? null,
            };
          }),
        };
      },
    });
  };
  return plugin;
}
