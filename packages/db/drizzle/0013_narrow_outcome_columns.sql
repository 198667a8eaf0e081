-- ==== Hand-written (issue 13): outcome rows at their recorded precision (docs/results.md, "Recorded precision") ====
-- drizzle's diff (ALTER … SET DATA TYPE real, ADD os_step …, DROP os_days …) is replaced by a rewrite, as in 0010:
-- - survival times are on the point's stepDays grid (recorded since 0008): stored as int4 step numbers
--   (os_step, pfs_step, mfs_step, scan_pfs_step); step × stepDays is the recorded time, bit for bit.
--   nadir_day and neutrophil_nadir_day stay double: step ends (t + dt), not always k × stepDays in floating point.
-- - model outputs that are not inputs in single precision (real, relative 6e-8): nadir_cells, the three leader
--   fractions, metastatic_cells_at_diagnosis, min_effector, neutrophil_nadir. Sampled parameters stay double.
-- Widest columns first (8-byte, 4, 2, 1; NOT NULL first within each width); the primary key as in 0010; grants
-- as in 0003/0010; no policy (outcomes are shared, reached through sweep_points).
-- float8 → real as JavaScript's Math.fround rounds (the write path): to nearest, ±0 below half the smallest
-- subnormal and ±Infinity past the largest float, where a plain cast would raise an underflow or overflow error.
CREATE FUNCTION frontline_single(v float8) RETURNS real
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN abs(v) <= 7.006492321624085e-46 THEN (v * 0)::real
                WHEN abs(v) >= 3.4028235677973366e38 AND v <> 'NaN' THEN (sign(v) * 'Infinity'::float8)::real
                ELSE v::real END
  $$;--> statement-breakpoint
LOCK TABLE "outcomes" IN ACCESS EXCLUSIVE MODE;--> statement-breakpoint
CREATE TABLE "outcomes_narrow" (
  "cohort_seed" bigint NOT NULL,
  "nadir_day" double precision NOT NULL,
  "sampled_growth_rate" double precision NOT NULL,
  "sampled_diagnosis_cells" double precision NOT NULL,
  "sampled_emt_plasticity" double precision NOT NULL,
  "sampled_elimination_rate" double precision NOT NULL,
  "sampled_max_drug_kill" double precision NOT NULL,
  "sampled_immune_kill" double precision NOT NULL,
  "relative_dose_intensity" double precision,
  "delivered_dose" double precision,
  "neutrophil_nadir_day" double precision,
  "sampled_baseline_neutrophils" double precision,
  "sampled_mean_transit_time" double precision,
  "sampled_myelotoxicity" double precision,
  "point_id" integer NOT NULL,
  "patient_index" integer NOT NULL,
  "os_step" integer NOT NULL,
  "pfs_step" integer NOT NULL,
  "mfs_step" integer NOT NULL,
  "seeding_events" integer NOT NULL,
  "redraws" integer NOT NULL,
  "nadir_cells" real NOT NULL,
  "leader_fraction_at_diagnosis" real NOT NULL,
  "leader_fraction_at_nadir" real NOT NULL,
  "leader_fraction_at_end" real NOT NULL,
  "metastatic_cells_at_diagnosis" real NOT NULL,
  "min_effector" real NOT NULL,
  "cycles_received" integer,
  "dose_delays" integer,
  "dose_reductions" integer,
  "worst_neutropenia_grade" integer,
  "scans" integer,
  "scan_pfs_step" integer,
  "neutrophil_nadir" real,
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
-- The grid index as the write path computes it (time-grid.ts gridIndex); points store resolved parameters, so
-- every point has its stepDays (0008 put every row on this grid with the same expression).
INSERT INTO "outcomes_narrow" ("cohort_seed", "nadir_day", "sampled_growth_rate", "sampled_diagnosis_cells", "sampled_emt_plasticity", "sampled_elimination_rate", "sampled_max_drug_kill", "sampled_immune_kill", "relative_dose_intensity", "delivered_dose", "neutrophil_nadir_day", "sampled_baseline_neutrophils", "sampled_mean_transit_time", "sampled_myelotoxicity", "point_id", "patient_index", "os_step", "pfs_step", "mfs_step", "seeding_events", "redraws", "nadir_cells", "leader_fraction_at_diagnosis", "leader_fraction_at_nadir", "leader_fraction_at_end", "metastatic_cells_at_diagnosis", "min_effector", "cycles_received", "dose_delays", "dose_reductions", "worst_neutropenia_grade", "scans", "scan_pfs_step", "neutrophil_nadir", "best_response", "recist_best_response", "os_event", "pfs_event", "mfs_event", "cured", "toxic_death", "objective_response", "scan_pfs_event")
SELECT o."cohort_seed",
       o."nadir_day",
       o."sampled_growth_rate",
       o."sampled_diagnosis_cells",
       o."sampled_emt_plasticity",
       o."sampled_elimination_rate",
       o."sampled_max_drug_kill",
       o."sampled_immune_kill",
       o."relative_dose_intensity",
       o."delivered_dose",
       o."neutrophil_nadir_day",
       o."sampled_baseline_neutrophils",
       o."sampled_mean_transit_time",
       o."sampled_myelotoxicity",
       o."point_id",
       o."patient_index",
       greatest(0, ceil(o."os_days" / (p.params->>'stepDays')::float8 - 1e-6::float8))::int4,
       greatest(0, ceil(o."pfs_days" / (p.params->>'stepDays')::float8 - 1e-6::float8))::int4,
       greatest(0, ceil(o."mfs_days" / (p.params->>'stepDays')::float8 - 1e-6::float8))::int4,
       o."seeding_events",
       o."redraws",
       frontline_single(o."nadir_cells"),
       frontline_single(o."leader_fraction_at_diagnosis"),
       frontline_single(o."leader_fraction_at_nadir"),
       frontline_single(o."leader_fraction_at_end"),
       frontline_single(o."metastatic_cells_at_diagnosis"),
       frontline_single(o."min_effector"),
       o."cycles_received",
       o."dose_delays",
       o."dose_reductions",
       o."worst_neutropenia_grade",
       o."scans",
       CASE WHEN o."scan_pfs_days" IS NOT NULL -- greatest() ignores a null: v1 rows keep theirs
         THEN greatest(0, ceil(o."scan_pfs_days" / (p.params->>'stepDays')::float8 - 1e-6::float8))::int4 END,
       frontline_single(o."neutrophil_nadir"),
       o."best_response",
       o."recist_best_response",
       o."os_event",
       o."pfs_event",
       o."mfs_event",
       o."cured",
       o."toxic_death",
       o."objective_response",
       o."scan_pfs_event"
FROM "outcomes" o JOIN "points" p ON p.id = o.point_id;--> statement-breakpoint
DROP TABLE "outcomes";--> statement-breakpoint
DROP FUNCTION frontline_single(float8);--> statement-breakpoint
ALTER TABLE "outcomes_narrow" RENAME TO "outcomes";--> statement-breakpoint
ALTER TABLE "outcomes" ADD CONSTRAINT "outcomes_point_id_patient_index_cohort_seed_pk" PRIMARY KEY("point_id","patient_index","cohort_seed");--> statement-breakpoint
GRANT SELECT, INSERT ON "outcomes" TO frontline_app;--> statement-breakpoint
ANALYZE "outcomes";--> statement-breakpoint
-- Tables rebuilt from stored rows (reuse), as 0011's, reading step numbers (the grid index the ingest tables
-- hold) and the recorded single-precision leader fraction, widened before the bin product as JS computes it.
CREATE OR REPLACE FUNCTION frontline_tally_stored_outcomes(sweep uuid, point_ids integer[], lo integer[], hi integer[])
  RETURNS void
  LANGUAGE sql VOLATILE SET search_path = public AS $$
    WITH r AS (SELECT * FROM unnest(point_ids, lo, hi) AS r(point_id, lo, hi)),
    o AS (
      SELECT o.*, (p.params->>'stepDays')::float8 AS step_days
      FROM r JOIN sweeps s ON s.id = sweep
      JOIN outcomes o ON o.point_id = r.point_id AND o.cohort_seed = s.cohort_seed
        AND o.patient_index >= r.lo AND o.patient_index < r.hi
      JOIN points p ON p.id = r.point_id
    ),
    e AS (
      SELECT point_id, step_days, 'os' AS endpoint, os_step AS step, os_event AS event FROM o
      UNION ALL
      SELECT point_id, step_days, 'pfs', coalesce(scan_pfs_step, pfs_step), coalesce(scan_pfs_event, pfs_event) FROM o
      UNION ALL
      SELECT point_id, step_days, 'mfs', mfs_step, mfs_event FROM o
    ),
    g AS (
      SELECT point_id, step_days, endpoint, step,
             (count(*) FILTER (WHERE event))::int4 AS events, (count(*) FILTER (WHERE NOT event))::int4 AS censored
      FROM e GROUP BY 1, 2, 3, 4
    )
    INSERT INTO sweep_survival_tallies (tenant_id, sweep_id, endpoint, point_id, step_days, counts)
    SELECT s.tenant_id, s.id, g.endpoint, g.point_id, g.step_days,
           frontline_pack_step_counts(array_agg(g.step ORDER BY g.step), array_agg(g.events ORDER BY g.step),
                                      array_agg(g.censored ORDER BY g.step))
    FROM g JOIN sweeps s ON s.id = sweep
    GROUP BY s.tenant_id, s.id, g.endpoint, g.point_id, g.step_days;

    WITH r AS (SELECT * FROM unnest(point_ids, lo, hi) AS r(point_id, lo, hi)),
    o AS (
      SELECT o.*
      FROM r JOIN sweeps s ON s.id = sweep
      JOIN outcomes o ON o.point_id = r.point_id AND o.cohort_seed = s.cohort_seed
        AND o.patient_index >= r.lo AND o.patient_index < r.hi
    ),
    b AS (
      SELECT point_id, least(999, greatest(0, floor(leader_fraction_at_diagnosis::float8 * 1000)))::int4 AS bin, count(*)::int4 AS n
      FROM o GROUP BY 1, 2
    ),
    h AS (
      SELECT point_id, array_agg(bin ORDER BY bin) AS bins, array_agg(n ORDER BY bin) AS counts FROM b GROUP BY 1
    ),
    a AS (
      SELECT point_id, count(*)::int4 AS patients, (count(*) FILTER (WHERE cured))::int4 AS cured,
             ARRAY[(count(*) FILTER (WHERE best_response = 0))::int4, (count(*) FILTER (WHERE best_response = 1))::int4,
                   (count(*) FILTER (WHERE best_response = 2))::int4, (count(*) FILTER (WHERE best_response = 3))::int4] AS best_response,
             count(recist_best_response)::int4 AS v2_patients,
             (count(*) FILTER (WHERE objective_response))::int4 AS objective_responses,
             (count(*) FILTER (WHERE toxic_death))::int4 AS toxic_deaths,
             (count(*) FILTER (WHERE worst_neutropenia_grade = 4))::int4 AS grade4_neutropenia,
             (count(*) FILTER (WHERE cycles_received > 0))::int4 AS dosed_patients,
             coalesce(sum(relative_dose_intensity::numeric) FILTER (WHERE cycles_received > 0), 0) AS dose_intensity_sum,
             ARRAY[(count(*) FILTER (WHERE recist_best_response = 0))::int4, (count(*) FILTER (WHERE recist_best_response = 1))::int4,
                   (count(*) FILTER (WHERE recist_best_response = 2))::int4, (count(*) FILTER (WHERE recist_best_response = 3))::int4,
                   (count(*) FILTER (WHERE recist_best_response = 4))::int4] AS recist_best_response
      FROM o GROUP BY point_id
    )
    INSERT INTO sweep_point_tallies (tenant_id, sweep_id, point_id, patients, cured, best_response, leader_histogram,
      v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients, dose_intensity_sum,
      recist_best_response)
    SELECT s.tenant_id, s.id, a.point_id, a.patients, a.cured, a.best_response, frontline_pack_histogram(h.bins, h.counts),
           a.v2_patients, a.objective_responses, a.toxic_deaths, a.grade4_neutropenia, a.dosed_patients,
           a.dose_intensity_sum, a.recist_best_response
    FROM a JOIN h USING (point_id) JOIN sweeps s ON s.id = sweep;
  $$;--> statement-breakpoint
-- ==== end of hand-written block ====
