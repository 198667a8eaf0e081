export {
  type ChunkJob,
  chunkJobId,
  chunkJobOptions,
  chunkJobSchema,
  chunkPriority,
  chunkQueueName,
  maxBullmqPriority,
  type PriorityClass,
  priorityBandWidth,
  priorityClasses,
  priorityOrdinalCap,
} from './catalog.js';
export { type RedisRole, redisConnection } from './connection.js';
export {
  enqueueChunks,
  type QueueReconciliation,
  reconcileQueue,
  removeChunkJobs,
} from './enqueue.js';
