ALTER TABLE "sweeps" ADD COLUMN "work_done" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "work_failed" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "last_done_at" timestamp with time zone;--> statement-breakpoint
-- The sweeps stored before are counted from their chunks; from now on the transaction that moves a chunk from
-- pending (completeChunk, failChunk) counts it, so a status request no longer sums a sweep's chunks.
UPDATE "sweeps" s SET
  "work_done" = coalesce((SELECT sum(c.work_end - c.work_start) FROM "chunks" c WHERE c.sweep_id = s.id AND c.status = 'done'), 0),
  "work_failed" = coalesce((SELECT sum(c.work_end - c.work_start) FROM "chunks" c WHERE c.sweep_id = s.id AND c.status = 'failed'), 0),
  "last_done_at" = (SELECT max(c.finished_at) FROM "chunks" c WHERE c.sweep_id = s.id AND c.status = 'done');
