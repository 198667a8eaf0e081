ALTER TABLE "outcomes" ADD COLUMN "relative_dose_intensity" double precision;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "delivered_dose" double precision;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "cycles_received" integer;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "dose_delays" integer;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "dose_reductions" integer;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "worst_neutropenia_grade" integer;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "neutrophil_nadir" double precision;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "neutrophil_nadir_day" double precision;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "toxic_death" boolean;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "recist_best_response" smallint;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "objective_response" boolean;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "scan_pfs_days" double precision;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "scan_pfs_event" boolean;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "scans" integer;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "sampled_baseline_neutrophils" double precision;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "sampled_mean_transit_time" double precision;--> statement-breakpoint
ALTER TABLE "outcomes" ADD COLUMN "sampled_myelotoxicity" double precision;--> statement-breakpoint
CREATE INDEX "outcomes_scan_pfs_idx" ON "outcomes" USING btree ("point_id","cohort_seed","scan_pfs_days","scan_pfs_event","patient_index") WHERE "outcomes"."scan_pfs_days" is not null;--> statement-breakpoint
-- Sweeps stored before the spec had a `model` field all ran lf-tid@1: say so in their spec, since a
-- spec without it now means the default model (lf-tid@2).
UPDATE "sweeps" SET "spec" = jsonb_set("spec", '{model}', to_jsonb("model_id")) WHERE NOT ("spec" ? 'model');
