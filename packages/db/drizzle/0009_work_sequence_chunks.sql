ALTER TABLE "chunks" DROP CONSTRAINT "chunks_point_id_points_id_fk";
--> statement-breakpoint
ALTER TABLE "chunks" ADD COLUMN "work_start" bigint;--> statement-breakpoint
ALTER TABLE "chunks" ADD COLUMN "work_end" bigint;--> statement-breakpoint
-- Chunks planned before the work sequence: their positions are their patients' running sum, so
-- progress (done and failed simulations) reads the same. Their sweeps' points carry no work
-- offsets, so a sweep still queued or running ends failed; resubmitting it reuses what it stored
-- (its tables, filled from its stored rows by migration 0008 and at ingest since, stay as they are).
UPDATE "chunks" c SET "work_start" = w.s - (c."patient_end" - c."patient_start"), "work_end" = w.s
FROM (SELECT "sweep_id", "chunk_index",
             sum("patient_end" - "patient_start") OVER (PARTITION BY "sweep_id" ORDER BY "chunk_index") AS s
      FROM "chunks") w
WHERE w."sweep_id" = c."sweep_id" AND w."chunk_index" = c."chunk_index";--> statement-breakpoint
UPDATE "sweeps" SET "status" = 'failed', "finished_at" = now(),
  "failure_reason" = 'planned before chunks spanned points (migration 0009); resubmit it to run the rest'
WHERE "status" IN ('queued', 'running');--> statement-breakpoint
ALTER TABLE "chunks" ALTER COLUMN "work_start" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "chunks" ALTER COLUMN "work_end" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD COLUMN "work_start" bigint;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD COLUMN "work_patients" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD COLUMN "missing_ranges" integer[];--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "chunk_size" integer DEFAULT 2000 NOT NULL;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "chunks_planned" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "chunks_created" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "sweep_points_work_idx" ON "sweep_points" USING btree ("sweep_id","work_start") WHERE "sweep_points"."work_start" is not null;--> statement-breakpoint
ALTER TABLE "chunks" DROP COLUMN "point_id";--> statement-breakpoint
ALTER TABLE "chunks" DROP COLUMN "patient_start";--> statement-breakpoint
ALTER TABLE "chunks" DROP COLUMN "patient_end";