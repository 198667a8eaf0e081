ALTER TABLE "sweep_points" ADD COLUMN "cohort_patients" integer;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD COLUMN "cohort_rounds" integer;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD COLUMN "half_width" double precision;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD COLUMN "cohort_stop" text;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "chunk_window" integer DEFAULT 1000 NOT NULL;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "cohort_round" integer;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "points_running" integer;--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "work_length" bigint;