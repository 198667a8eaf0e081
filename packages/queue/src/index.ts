export {
  type ChunkJob,
  chunkJobId,
  chunkJobOptions,
  chunkJobSchema,
  chunkPriority,
  chunkQueueName,
} from './catalog.js';
export { type RedisRole, redisConnection } from './connection.js';
export { enqueueChunks, reconcileQueue, removeChunkJobs } from './enqueue.js';
