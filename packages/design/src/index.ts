export type { GridAxes } from './grid.js';
export { gridPoints, gridSize } from './grid.js';
export { SOBOL_MAX_DIMENSIONS } from './joeKuo.js';
export { latinHypercube } from './lhs.js';
export type { SaltelliMatrices, SaltelliPoint, SaltelliRole } from './saltelli.js';
export {
  SALTELLI_MAX_AXES,
  SALTELLI_MIN_SAMPLES,
  saltelliMatrices,
  saltelliPointCount,
  saltelliPoints,
  saltelliRole,
  saltelliUnitPoints,
} from './saltelli.js';
export type { AxisRange, RangeAxes } from './scale.js';
export { scaleToAxes, scaleUnit } from './scale.js';
export { isPowerOfTwo, sobolPoints, unscrambledSobolPoints } from './sobol.js';
