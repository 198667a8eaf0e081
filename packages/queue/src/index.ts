export {
  type ChunkJob,
  type ChunkRef,
  type ChunkResult,
  chunkJobId,
  chunkJobOptions,
  chunkJobSchema,
  chunkPriority,
  chunkQueueName,
  chunkResultSchema,
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
export {
  type ActiveJobs,
  type ConnectedWorker,
  parseWorkerName,
  type QueueSnapshot,
  type QueueThroughput,
  readQueueSnapshot,
  recentThroughput,
  workerKey,
} from './queue-view.js';
