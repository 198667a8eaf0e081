export type { CohortRoundDecision, CohortRoundState, PrecisionTarget } from './adaptive.js';
export { nextCohortRound, precisionHalfWidth } from './adaptive.js';
export type { ChiSquareTest, CoxPhInput, CoxPhOptions, CoxPhResult, CoxTerm, CoxTies } from './cox.js';
export { CoxInputError, coxPh } from './cox.js';
export type { CoxPhByGroupOptions } from './cox-groups.js';
export { coxPhByGroup } from './cox-groups.js';
export { chiSquareUpperTail, logGamma, regularizedGammaQ } from './gamma.js';
export type { AggregatedSurvivalInput, RawSurvivalInput, SurvivalInput } from './input.js';
export { SurvivalInputError } from './input.js';
export type { KaplanMeierOptions, SurvivalCurve } from './kaplan-meier.js';
export { kaplanMeier } from './kaplan-meier.js';
export type { KaplanMeierSummary } from './km-summary.js';
export { kaplanMeierSummary } from './km-summary.js';
export type {
  LogRankOptions,
  LogRankResult,
  StratifiedCounts,
  StratifiedSurvivalInput,
  StratumCounts,
} from './log-rank.js';
export { logRank, logRankByStratum, stratifiedCounts } from './log-rank.js';
export type { CohortNoiseShare, CohortNoiseShareInput, CohortNoiseShareOptions } from './noise-share.js';
export { cohortNoiseShare, NOISE_SHARE_WARNING_THRESHOLD } from './noise-share.js';
export { normalQuantile } from './normal.js';
export type { CountTable, GroupMember } from './pool-counts.js';
export { emptyCountTable, poolByGroup, poolCountTables } from './pool-counts.js';
export type { PowerAtSampleSize, VirtualTrialPowerInput, VirtualTrialPowerResult } from './power.js';
export { POWER_LIMITS, PowerInputError, virtualTrialPower } from './power.js';
export { clopperPearson, normalCdf, regularizedBeta } from './power-interval.js';
export type { MedianOptions, MedianSurvival, QuantileRule, SurvivalQuantile } from './quantile.js';
export { medianSurvival, survivalQuantile } from './quantile.js';
export { seededUniform } from './random.js';
export type { RestrictedMean } from './rmst.js';
export { rmst } from './rmst.js';
export type { IndexEstimate, SaltelliOutputs, SobolIndices, SobolIndicesOptions } from './sobol-indices.js';
export { SensitivityInputError, SOBOL_MIN_ROWS, sobolIndices } from './sobol-indices.js';
export type { SurvivalAtOptions, SurvivalEstimate } from './survival-at.js';
export { survivalAt, survivalEstimateAt } from './survival-at.js';
