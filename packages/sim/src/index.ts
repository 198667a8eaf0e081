export {
  canonicalJson,
  defaultParams,
  dominantGrowthRate,
  type ModelParams,
  modelId,
  modelParamsSchema,
  ParamError,
  type ParamName,
  type ParamProblem,
  paramDomains,
  paramNames,
  pointHash,
  resolveParams,
  type SampledParamName,
  sampledParamNames,
  validateParams,
} from './params.js';
export { logFactorial, Rng } from './rng.js';
