export type { SaltelliRole } from '@frontline/design';
export * from './api.js';
export type { ApiErrorCode, ApiErrorEnvelope, ApiErrorStatus, ErrorDetail } from './errors.js';
export {
  ApiError,
  apiError,
  apiErrorCodeSchema,
  apiErrorEnvelopeSchema,
  apiErrorStatus,
  errorDetailSchema,
} from './errors.js';
export type {
  DesignAxisValues,
  ExpandedSweep,
  PrepareSweepResult,
  StoredSweepPoint,
  SweepPoint,
} from './expand.js';
export {
  checkSweepPointSlices,
  designAxisValues,
  expandSweep,
  expandSweepBatches,
  prepareSweep,
  storedPointBatches,
  sweepPointRole,
} from './expand.js';
export type { MedianEstimate } from './format.js';
export { formatMedian, formatPValue, notAvailable, notReached, pending } from './format.js';
export type { SweepLimits } from './limits.js';
export {
  DEFAULT_BODY_LIMIT_BYTES,
  defaultChunkSize,
  defaultChunkSizeFor,
  defaultChunkWindow,
  defaultPointsBeforeReply,
  defaultSweepLimits,
} from './limits.js';
export type { ParseSweepSpecResult } from './parse.js';
export { chunkSizeOf, outcomeRetentionOf, parseSweepSpec, sweepPointCount, sweepWarnings } from './parse.js';
export { formatPath } from './paths.js';
export { isIntegerParam } from './semantics.js';
export type {
  AdaptiveCohort,
  Cohort,
  CohortPrecision,
  CohortPrecisionMetric,
  Design,
  GridDesign,
  Priority,
  SaltelliDesign,
  SampledDesign,
  SweepSpec,
  SweepSpecInput,
} from './spec.js';
export {
  adaptiveCohortOf,
  axisScaleSchema,
  cohortPatientsBound,
  cohortPrecisionMetrics,
  cohortPrecisionSchema,
  cohortSchema,
  designSchema,
  prioritySchema,
  sweepSpecSchema,
  sweepSpecStructureSchema,
} from './spec.js';
export { storageBytesPerSimulation, storageEstimate } from './storage-estimate.js';
export type {
  ActiveSweepState,
  ApiKeyRole,
  BestResponse,
  ChunkStatus,
  OutcomeRetention,
  RecistResponse,
  SurvivalEndpoint,
} from './vocabulary.js';
export {
  activeSweepStates,
  apiKeyRoleSchema,
  apiKeyRoles,
  bestResponseSchema,
  bestResponses,
  chunkStatuses,
  isActiveSweepState,
  outcomeRetentions,
  priorities,
  recistResponses,
  survivalEndpointSchema,
  survivalEndpoints,
  sweepStates,
} from './vocabulary.js';
