-- The primary key's new column order (drizzle's diff) is built by the table rewrite below, under the
-- name drizzle gives it.
--
-- ==== Hand-written (issue 13): outcome rows without alignment padding ====
-- Postgres aligns each value to its type's width, so in the old column order (booleans and smallints
-- between doubles, a bigint after an int) a v1 row carried 34 B of padding. The table is rewritten with
-- the widest columns first (8-byte, then 4, 2, 1; NOT NULL ones first within each width), and the primary
-- key with its 8-byte seed last (24 B per index entry instead of 32 B). Values are copied as they are:
-- same names, same types, nothing rounded. Every statement names its columns, so none depends on this
-- order. Grants as in 0003; no policy (outcomes are shared, reached through sweep_points).
LOCK TABLE "outcomes" IN ACCESS EXCLUSIVE MODE;--> statement-breakpoint
CREATE TABLE "outcomes_compact" (
  "cohort_seed" bigint NOT NULL,
  "os_days" double precision NOT NULL,
  "pfs_days" double precision NOT NULL,
  "mfs_days" double precision NOT NULL,
  "nadir_cells" double precision NOT NULL,
  "nadir_day" double precision NOT NULL,
  "leader_fraction_at_diagnosis" double precision NOT NULL,
  "leader_fraction_at_nadir" double precision NOT NULL,
  "leader_fraction_at_end" double precision NOT NULL,
  "metastatic_cells_at_diagnosis" double precision NOT NULL,
  "min_effector" double precision NOT NULL,
  "sampled_growth_rate" double precision NOT NULL,
  "sampled_diagnosis_cells" double precision NOT NULL,
  "sampled_emt_plasticity" double precision NOT NULL,
  "sampled_elimination_rate" double precision NOT NULL,
  "sampled_max_drug_kill" double precision NOT NULL,
  "sampled_immune_kill" double precision NOT NULL,
  "relative_dose_intensity" double precision,
  "delivered_dose" double precision,
  "neutrophil_nadir" double precision,
  "neutrophil_nadir_day" double precision,
  "scan_pfs_days" double precision,
  "sampled_baseline_neutrophils" double precision,
  "sampled_mean_transit_time" double precision,
  "sampled_myelotoxicity" double precision,
  "point_id" integer NOT NULL,
  "patient_index" integer NOT NULL,
  "seeding_events" integer NOT NULL,
  "redraws" integer NOT NULL,
  "cycles_received" integer,
  "dose_delays" integer,
  "dose_reductions" integer,
  "worst_neutropenia_grade" integer,
  "scans" integer,
  "best_response" smallint NOT NULL,
  "recist_best_response" smallint,
  "os_event" boolean NOT NULL,
  "pfs_event" boolean NOT NULL,
  "mfs_event" boolean NOT NULL,
  "cured" boolean NOT NULL,
  "toxic_death" boolean,
  "objective_response" boolean,
  "scan_pfs_event" boolean
);--> statement-breakpoint
INSERT INTO "outcomes_compact" ("cohort_seed", "os_days", "pfs_days", "mfs_days", "nadir_cells", "nadir_day", "leader_fraction_at_diagnosis", "leader_fraction_at_nadir", "leader_fraction_at_end", "metastatic_cells_at_diagnosis", "min_effector", "sampled_growth_rate", "sampled_diagnosis_cells", "sampled_emt_plasticity", "sampled_elimination_rate", "sampled_max_drug_kill", "sampled_immune_kill", "relative_dose_intensity", "delivered_dose", "neutrophil_nadir", "neutrophil_nadir_day", "scan_pfs_days", "sampled_baseline_neutrophils", "sampled_mean_transit_time", "sampled_myelotoxicity", "point_id", "patient_index", "seeding_events", "redraws", "cycles_received", "dose_delays", "dose_reductions", "worst_neutropenia_grade", "scans", "best_response", "recist_best_response", "os_event", "pfs_event", "mfs_event", "cured", "toxic_death", "objective_response", "scan_pfs_event")
SELECT "cohort_seed", "os_days", "pfs_days", "mfs_days", "nadir_cells", "nadir_day", "leader_fraction_at_diagnosis", "leader_fraction_at_nadir", "leader_fraction_at_end", "metastatic_cells_at_diagnosis", "min_effector", "sampled_growth_rate", "sampled_diagnosis_cells", "sampled_emt_plasticity", "sampled_elimination_rate", "sampled_max_drug_kill", "sampled_immune_kill", "relative_dose_intensity", "delivered_dose", "neutrophil_nadir", "neutrophil_nadir_day", "scan_pfs_days", "sampled_baseline_neutrophils", "sampled_mean_transit_time", "sampled_myelotoxicity", "point_id", "patient_index", "seeding_events", "redraws", "cycles_received", "dose_delays", "dose_reductions", "worst_neutropenia_grade", "scans", "best_response", "recist_best_response", "os_event", "pfs_event", "mfs_event", "cured", "toxic_death", "objective_response", "scan_pfs_event" FROM "outcomes";--> statement-breakpoint
DROP TABLE "outcomes";--> statement-breakpoint
ALTER TABLE "outcomes_compact" RENAME TO "outcomes";--> statement-breakpoint
ALTER TABLE "outcomes" ADD CONSTRAINT "outcomes_point_id_patient_index_cohort_seed_pk" PRIMARY KEY("point_id","patient_index","cohort_seed");--> statement-breakpoint
GRANT SELECT, INSERT ON "outcomes" TO frontline_app;--> statement-breakpoint
ANALYZE "outcomes";
-- ==== end of hand-written block ====
