/**
 * The HTTP API: every route's params, query, body and responses (errors in the envelope of
 * errors.ts), with who may call it. The API registers routes from these contracts; the CLI, the
 * dashboard and the demo import the inferred types.
 */
import { hazardRoutes } from './api/hazard-ratios.js';
import { healthRoutes } from './api/health.js';
import { keyRoutes } from './api/keys.js';
import { modelRoutes } from './api/model.js';
import { queueRoutes } from './api/queue.js';
import { resultRoutes } from './api/results.js';
import { sensitivityRoutes } from './api/sensitivity.js';
import { sweepRoutes } from './api/sweeps.js';

export * from './api/common.js';
export * from './api/hazard-ratios.js';
export * from './api/health.js';
export * from './api/keys.js';
export * from './api/model.js';
export * from './api/queue.js';
export * from './api/results.js';
export * from './api/sensitivity.js';
export * from './api/sweeps.js';

/** Every route contract, by area. */
export const routeContracts = {
  sweeps: sweepRoutes,
  results: resultRoutes,
  sensitivity: sensitivityRoutes,
  hazards: hazardRoutes,
  keys: keyRoutes,
  queue: queueRoutes,
  model: modelRoutes,
  health: healthRoutes,
};
