import { defaultModelId, modelIds } from '@frontline/sim';
import { z } from 'zod';
import { defineRoute, validatedKeyedErrors } from './common.js';

export const modelIdSchema = z.enum(modelIds);

/** One model parameter as the catalogue describes it (packages/sim/src/catalogue.ts). */
export const modelParameterSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** '' for a dimensionless ratio or fraction. */
  unit: z.string(),
  /** A number; `doseDays` (an explicit schedule) is a list of days. */
  default: z.union([z.number(), z.array(z.number())]),
  /** Bounds of the allowed range (null: unbounded); `rule` says whether they are strict. */
  min: z.number().nullable(),
  max: z.number().nullable(),
  rule: z.string(),
  integer: z.boolean(),
  /** Each patient draws their own value around this median (log-normal, σ = `<name>Sigma`). */
  perPatient: z.boolean(),
  /** Can be a design axis (integer parameters in grid designs only). */
  sweepable: z.boolean(),
});
export type ModelParameter = z.infer<typeof modelParameterSchema>;

/** Response of GET /v1/model/parameters (consumed by `frontline params` and the dashboard's form). */
export const modelParametersResponseSchema = z.object({
  model: modelIdSchema,
  parameters: z.array(modelParameterSchema),
});
export type ModelParametersResponse = z.infer<typeof modelParametersResponseSchema>;

export const modelRoutes = {
  parameters: defineRoute({
    method: 'GET',
    url: '/v1/model/parameters',
    access: 'read',
    schema: {
      summary: 'Every parameter of a model: meaning, unit, default, allowed range, per-patient variation',
      tags: ['model'],
      querystring: z.object({ model: modelIdSchema.default(defaultModelId) }),
      response: { 200: modelParametersResponseSchema, ...validatedKeyedErrors },
    },
  }),
};
