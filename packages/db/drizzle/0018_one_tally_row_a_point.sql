-- One row a point for a sweep's tables (schema.ts sweep_point_tallies): its three survival tables become columns
-- of its summary row. Four rows a point (one per endpoint and the summary) cost 3.3× as much to insert as one
-- and 2.6× the bytes; a design of many small points wrote four rows for every two patients. The view
-- sweep_survival_tallies shows the tables a row per endpoint as they were stored, under the reader's own
-- row-level security (security_invoker).
ALTER TABLE "sweep_point_tallies" ADD COLUMN "step_days" double precision;--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ADD COLUMN "os_counts" "bytea";--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ADD COLUMN "pfs_counts" "bytea";--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ADD COLUMN "mfs_counts" "bytea";--> statement-breakpoint
-- Every writer stored a point's three survival rows with its summary row, in one statement: a point of one has all.
UPDATE "sweep_point_tallies" t SET step_days = s.step_days, os_counts = s.os, pfs_counts = s.pfs, mfs_counts = s.mfs
FROM (SELECT sweep_id, point_id, min(step_days) AS step_days,
             (array_agg(counts) FILTER (WHERE endpoint = 'os'))[1] AS os,
             (array_agg(counts) FILTER (WHERE endpoint = 'pfs'))[1] AS pfs,
             (array_agg(counts) FILTER (WHERE endpoint = 'mfs'))[1] AS mfs
      FROM "sweep_survival_tallies" GROUP BY sweep_id, point_id) s
WHERE t.sweep_id = s.sweep_id AND t.point_id = s.point_id;--> statement-breakpoint
-- SET NOT NULL below fails, and with it the migration (nothing changed), if a point lacked a survival table.
ALTER TABLE "sweep_point_tallies" ALTER COLUMN "step_days" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ALTER COLUMN "os_counts" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ALTER COLUMN "pfs_counts" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ALTER COLUMN "mfs_counts" SET NOT NULL;--> statement-breakpoint
DROP TABLE "sweep_survival_tallies";--> statement-breakpoint
CREATE VIEW "sweep_survival_tallies" WITH (security_invoker = true) AS
  SELECT t.tenant_id, t.sweep_id, e.endpoint, t.point_id, t.step_days, e.counts
  FROM "sweep_point_tallies" t
  CROSS JOIN LATERAL (VALUES ('os', t.os_counts), ('pfs', t.pfs_counts), ('mfs', t.mfs_counts)) AS e(endpoint, counts);--> statement-breakpoint
GRANT SELECT ON sweep_survival_tallies TO frontline_app;--> statement-breakpoint
-- Reuse's aggregation of stored rows (0008, 0011, 0013) into the one row a point.
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
    ),
    tables AS (
      SELECT point_id, step_days, endpoint,
             frontline_pack_step_counts(array_agg(step ORDER BY step), array_agg(events ORDER BY step),
                                        array_agg(censored ORDER BY step)) AS counts
      FROM g GROUP BY 1, 2, 3
    ),
    survival AS (
      SELECT point_id, min(step_days) AS step_days,
             (array_agg(counts) FILTER (WHERE endpoint = 'os'))[1] AS os_counts,
             (array_agg(counts) FILTER (WHERE endpoint = 'pfs'))[1] AS pfs_counts,
             (array_agg(counts) FILTER (WHERE endpoint = 'mfs'))[1] AS mfs_counts
      FROM tables GROUP BY point_id
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
      recist_best_response, step_days, os_counts, pfs_counts, mfs_counts)
    SELECT s.tenant_id, s.id, a.point_id, a.patients, a.cured, a.best_response, frontline_pack_histogram(h.bins, h.counts),
           a.v2_patients, a.objective_responses, a.toxic_deaths, a.grade4_neutropenia, a.dosed_patients,
           a.dose_intensity_sum, a.recist_best_response, v.step_days, v.os_counts, v.pfs_counts, v.mfs_counts
    FROM a JOIN h USING (point_id) JOIN survival v USING (point_id) JOIN sweeps s ON s.id = sweep;
  $$;
