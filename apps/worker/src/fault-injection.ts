import { z } from 'zod';

/**
 * TEST ONLY — never set in production. Fault tests need a chunk whose model throws and one whose
 * model hangs; validated parameters make neither happen, so a worker started with
 * `FRONTLINE_FAULT_INJECTION='{"throwAtPoint":"<point hash prefix>","hangAtPoint":"<prefix>"}'`
 * makes the simulation of those points throw, or spin until the chunk time limit aborts it.
 */
export const faultInjectionSchema = z.strictObject({
  throwAtPoint: z.string().min(6, 'must be a point hash prefix of 6+ characters').optional(),
  hangAtPoint: z.string().min(6, 'must be a point hash prefix of 6+ characters').optional(),
});
export type FaultInjection = z.infer<typeof faultInjectionSchema>;

/** What the simulation thread is told to do instead of running the model. */
export type InjectedFault = 'throw' | 'hang';

/** The env value: JSON of a FaultInjection. */
export const faultInjectionEnv = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"throwAtPoint":"<point hash prefix>"}' });
      return z.NEVER;
    }
  })
  .pipe(faultInjectionSchema);

export function injectedFaultAt(
  injection: FaultInjection | undefined,
  pointHash: string,
): InjectedFault | undefined {
  if (injection?.throwAtPoint && pointHash.startsWith(injection.throwAtPoint)) return 'throw';
  if (injection?.hangAtPoint && pointHash.startsWith(injection.hangAtPoint)) return 'hang';
  return undefined;
}
