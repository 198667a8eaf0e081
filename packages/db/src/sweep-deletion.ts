import { isActiveSweepState, type SweepState } from '@frontline/contracts';
import type pg from 'pg';
import { inTransaction, queryWhileAlive, queryWithin } from './client.js';

/** Rows removed by deleteSweep, per table. */
export interface DeletedSweepRows {
  sweeps: number;
  sweepPoints: number;
  chunks: number;
  outcomes: number;
}

export type DeleteSweepResult =
  | { outcome: 'not_found' }
  | { outcome: 'active'; status: SweepState }
  | { outcome: 'deleted'; deleted: DeletedSweepRows };

export interface DeleteSweepOptions {
  /**
   * How long each statement may go unanswered before the connection is taken for dead (pg's
   * `query_timeout`); the pool's bound if not given. Deleting a `full` sweep of 10⁷ outcomes took 15.7 s on
   * a fast disk, and the statement that locks its chunks waits for a chunk being completed: a bound meant
   * to catch silent connections would roll a large deletion back every time.
   */
  statementWaitMs?: number;
  /**
   * Meanwhile, check this often (on another connection of the pool) that Postgres is still at the
   * statement, and give up on the connection once its session is gone or idle (queryWhileAlive): a silent
   * connection then fails the deletion (rolled back whole) after about this long, not `statementWaitMs`.
   */
  aliveCheckMs?: number;
}

/**
 * Delete a sweep that has ended (completed, failed or cancelled): its point links, its tables, its
 * chunks, the sweep, and the outcomes of its points that no sweep of any tenant still references. Pass a
 * tenant-bound pool (`forTenant`): row-level security makes another tenant's sweep not found.
 * A queued or running sweep is left alone (cancel it first), so no worker writes to it meanwhile.
 */
export async function deleteSweep(
  pool: pg.Pool,
  id: string,
  options: DeleteSweepOptions = {},
): Promise<DeleteSweepResult> {
  return inTransaction(pool, async (client) => {
    const waitMs = options.statementWaitMs;
    // The session's own backend, for the checks: one round trip, on a deletion that may take minutes.
    const alive =
      options.aliveCheckMs === undefined
        ? undefined
        : {
            probe: pool,
            everyMs: options.aliveCheckMs,
            waitMs,
            backendPid: (
              await queryWithin<{ pid: number }>(client, undefined, 'select pg_backend_pid() as pid')
            ).rows[0]!.pid,
          };
    const query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) =>
      alive === undefined
        ? queryWithin<R>(client, waitMs, text, values)
        : queryWhileAlive<R>(client, alive, text, values);
    const readSweep = async (lock: '' | 'for update') =>
      (
        await query<{ status: SweepState; cohortSeed: number }>(
          `select status, cohort_seed as "cohortSeed" from sweeps where id = $1 ${lock}`,
          [id],
        )
      ).rows[0];
    const seen = await readSweep('');
    if (!seen) return { outcome: 'not_found' };
    if (isActiveSweepState(seen.status)) return { outcome: 'active', status: seen.status };
    // The chunks' rows before the sweep's, in the order completeChunk and failChunk take them: a chunk
    // of a failed sweep completing right now (its row held, the sweep's key-share lock next) finishes
    // first. The sweep's row first would deadlock with it, and Postgres would abort one of the two.
    await query('select from chunks where sweep_id = $1 order by chunk_index for update', [id]);
    const sweep = await readSweep('for update');
    if (!sweep) return { outcome: 'not_found' };
    if (isActiveSweepState(sweep.status)) return { outcome: 'active', status: sweep.status };

    const links = await query<{ pointId: number }>(
      'delete from sweep_points where sweep_id = $1 returning point_id as "pointId"',
      [id],
    );
    // Its tables (a row a point) have no foreign key to cascade along (schema.ts): deleted here, under the
    // sweep's row lock.
    await query('delete from sweep_point_tallies where sweep_id = $1', [id]);
    await query('delete from sweep_workers where sweep_id = $1', [id]);
    const chunks = await query('delete from chunks where sweep_id = $1', [id]);
    const sweeps = await query('delete from sweeps where id = $1', [id]);
    const pointIds = [...new Set(links.rows.map((r) => r.pointId))];
    // After the sweep's own links are gone, so only other sweeps' references keep an outcome.
    const { rows: outcomeRows } = await query<{ deleted: string }>(
      'select frontline_delete_unreferenced_outcomes($1::int4[], $2) as deleted',
      [pointIds, sweep.cohortSeed],
    );
    return {
      outcome: 'deleted',
      deleted: {
        sweeps: sweeps.rowCount ?? 0,
        sweepPoints: links.rowCount ?? 0,
        chunks: chunks.rowCount ?? 0,
        outcomes: Number(outcomeRows[0]?.deleted ?? 0),
      },
    };
  });
}
