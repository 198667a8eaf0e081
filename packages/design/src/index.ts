export type { GridAxes } from './grid.js';
export { gridPoints, gridSize } from './grid.js';
export { SOBOL_MAX_DIMENSIONS } from './joeKuo.js';
export { latinHypercube } from './lhs.js';
export type { AxisRange, RangeAxes } from './scale.js';
export { scaleToAxes, scaleUnit } from './scale.js';
export { isPowerOfTwo, sobolPoints, unscrambledSobolPoints } from './sobol.js';
