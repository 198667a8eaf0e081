import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Test-only fault injection for real worker processes. Fault tests need a chunk whose model throws
 * and one whose model hangs; validated parameters make neither happen. A worker started with
 * `faultyWorker(faults)` (a preload swaps the piscina task for faulty-simulate-task.ts) makes the
 * simulation of the points whose model hash (`pointHashFor(model, params)` of @frontline/sim; the stored hash
 * may be a tenant's) starts with a given prefix throw, or spin until the chunk time limit aborts it.
 * The production worker has no such branch.
 */
export const workerFaultsSchema = z.strictObject({
  throwAtPoint: z.string().min(6, 'must be a point hash prefix of 6+ characters').optional(),
  hangAtPoint: z.string().min(6, 'must be a point hash prefix of 6+ characters').optional(),
});
export type WorkerFaults = z.infer<typeof workerFaultsSchema>;

/** The variable the preload and the faulty task read: JSON of a WorkerFaults. */
export const faultsVariable = 'FRONTLINE_TEST_FAULTS';

export const workerFaultsJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"throwAtPoint":"<point hash prefix>"}' });
      return z.NEVER;
    }
  })
  .pipe(workerFaultsSchema);

export function faultAt(faults: WorkerFaults | undefined, pointHash: string): 'throw' | 'hang' | undefined {
  if (faults?.throwAtPoint && pointHash.startsWith(faults.throwAtPoint)) return 'throw';
  if (faults?.hangAtPoint && pointHash.startsWith(faults.hangAtPoint)) return 'hang';
  return undefined;
}

/** Node flags and environment that start `apps/worker/src/main.ts` with these faults. */
export function faultyWorker(faults: WorkerFaults): { nodeArgs: string[]; env: Record<string, string> } {
  return {
    nodeArgs: ['--import', fileURLToPath(new URL('./fault-preload.mjs', import.meta.url))],
    env: { [faultsVariable]: JSON.stringify(workerFaultsSchema.parse(faults)) },
  };
}
