export { createLogger, type Logger } from './logger.js';
export { createMetricsRegistry, type Registry } from './metrics.js';
export { ShutdownManager } from './shutdown.js';
