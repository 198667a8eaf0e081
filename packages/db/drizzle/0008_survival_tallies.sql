CREATE TABLE "sweep_point_tallies" (
	"tenant_id" text NOT NULL,
	"sweep_id" uuid NOT NULL,
	"point_id" integer NOT NULL,
	"patients" integer NOT NULL,
	"cured" integer NOT NULL,
	"best_response" integer[] NOT NULL,
	"leader_bins" integer[] NOT NULL,
	"leader_counts" integer[] NOT NULL,
	"v2_patients" integer NOT NULL,
	"objective_responses" integer NOT NULL,
	"toxic_deaths" integer NOT NULL,
	"grade4_neutropenia" integer NOT NULL,
	"dosed_patients" integer NOT NULL,
	"dose_intensity_sum" numeric NOT NULL,
	"recist_best_response" integer[] NOT NULL,
	CONSTRAINT "sweep_point_tallies_sweep_id_point_id_pk" PRIMARY KEY("sweep_id","point_id")
);
--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sweep_survival_tallies" (
	"tenant_id" text NOT NULL,
	"sweep_id" uuid NOT NULL,
	"endpoint" text NOT NULL,
	"point_id" integer NOT NULL,
	"step_days" double precision NOT NULL,
	"steps" integer[] NOT NULL,
	"events" integer[] NOT NULL,
	"censored" integer[] NOT NULL,
	CONSTRAINT "sweep_survival_tallies_sweep_id_endpoint_point_id_pk" PRIMARY KEY("sweep_id","endpoint","point_id")
);
--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP INDEX "outcomes_os_idx";--> statement-breakpoint
DROP INDEX "outcomes_pfs_idx";--> statement-breakpoint
DROP INDEX "outcomes_mfs_idx";--> statement-breakpoint
DROP INDEX "outcomes_scan_pfs_idx";--> statement-breakpoint
ALTER TABLE "sweeps" ADD COLUMN "outcomes" text DEFAULT 'full' NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ADD CONSTRAINT "sweep_point_tallies_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" ADD CONSTRAINT "sweep_survival_tallies_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sweep_point_tallies" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('frontline.tenant', true)) WITH CHECK (tenant_id = current_setting('frontline.tenant', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sweep_survival_tallies" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('frontline.tenant', true)) WITH CHECK (tenant_id = current_setting('frontline.tenant', true));--> statement-breakpoint
-- Hand-written (issue 13). The per-sweep tables are tenant-owned like sweep_points: FORCE row-level
-- security (the owner too), and the app role writes them at ingest and at submit.
ALTER TABLE "sweep_survival_tallies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON sweep_survival_tallies, sweep_point_tallies TO frontline_app;--> statement-breakpoint
-- The tables of a sweep's points from stored outcome rows: patients [lo, hi) of each point, for the
-- sweep's cohort seed, added to whatever the sweep's tables hold. Used at submit for reused patients
-- (packages/db/src/tallies/reuse.ts) and below for the sweeps stored before the tables existed. Times
-- are put on the point's grid exactly as packages/db/src/tallies/time-grid.ts does (ceil(t / step -
-- 1e-6)); the leader-fraction bins as tallies/chunk-tally.ts (1000 bins on [0, 1]). Runs as the caller:
-- row-level security applies.
CREATE FUNCTION frontline_tally_stored_outcomes(sweep uuid, point_ids integer[], lo integer[], hi integer[])
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
      SELECT point_id, step_days, 'os' AS endpoint, os_days AS days, os_event AS event FROM o
      UNION ALL
      SELECT point_id, step_days, 'pfs', coalesce(scan_pfs_days, pfs_days), coalesce(scan_pfs_event, pfs_event) FROM o
      UNION ALL
      SELECT point_id, step_days, 'mfs', mfs_days, mfs_event FROM o
    ),
    g AS (
      SELECT point_id, step_days, endpoint, greatest(0, ceil(days / step_days - 1e-6::float8))::int4 AS step,
             (count(*) FILTER (WHERE event))::int4 AS events, (count(*) FILTER (WHERE NOT event))::int4 AS censored
      FROM e GROUP BY 1, 2, 3, 4
    )
    INSERT INTO sweep_survival_tallies AS t (tenant_id, sweep_id, endpoint, point_id, step_days, steps, events, censored)
    SELECT s.tenant_id, s.id, g.endpoint, g.point_id, g.step_days,
           array_agg(g.step ORDER BY g.step), array_agg(g.events ORDER BY g.step), array_agg(g.censored ORDER BY g.step)
    FROM g JOIN sweeps s ON s.id = sweep
    GROUP BY s.tenant_id, s.id, g.endpoint, g.point_id, g.step_days
    ON CONFLICT (sweep_id, endpoint, point_id) DO UPDATE SET (steps, events, censored) = (
      SELECT array_agg(m.step ORDER BY m.step), array_agg(m.events ORDER BY m.step), array_agg(m.censored ORDER BY m.step)
      FROM (SELECT u.step, sum(u.events)::int4 AS events, sum(u.censored)::int4 AS censored
            FROM (SELECT * FROM unnest(t.steps, t.events, t.censored)
                  UNION ALL SELECT * FROM unnest(excluded.steps, excluded.events, excluded.censored)) AS u(step, events, censored)
            GROUP BY u.step) AS m);

    WITH r AS (SELECT * FROM unnest(point_ids, lo, hi) AS r(point_id, lo, hi)),
    o AS (
      SELECT o.*
      FROM r JOIN sweeps s ON s.id = sweep
      JOIN outcomes o ON o.point_id = r.point_id AND o.cohort_seed = s.cohort_seed
        AND o.patient_index >= r.lo AND o.patient_index < r.hi
    ),
    b AS (
      SELECT point_id, least(999, greatest(0, floor(leader_fraction_at_diagnosis * 1000)))::int4 AS bin, count(*)::int4 AS n
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
    INSERT INTO sweep_point_tallies AS t (tenant_id, sweep_id, point_id, patients, cured, best_response, leader_bins,
      leader_counts, v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients,
      dose_intensity_sum, recist_best_response)
    SELECT s.tenant_id, s.id, a.point_id, a.patients, a.cured, a.best_response, h.bins, h.counts, a.v2_patients,
           a.objective_responses, a.toxic_deaths, a.grade4_neutropenia, a.dosed_patients, a.dose_intensity_sum,
           a.recist_best_response
    FROM a JOIN h USING (point_id) JOIN sweeps s ON s.id = sweep
    ON CONFLICT (sweep_id, point_id) DO UPDATE SET
      patients = t.patients + excluded.patients,
      cured = t.cured + excluded.cured,
      best_response = ARRAY(SELECT x + y FROM unnest(t.best_response, excluded.best_response) WITH ORDINALITY AS u(x, y, i) ORDER BY i),
      (leader_bins, leader_counts) = (
        SELECT array_agg(m.bin ORDER BY m.bin), array_agg(m.n ORDER BY m.bin)
        FROM (SELECT u.bin, sum(u.n)::int4 AS n
              FROM (SELECT * FROM unnest(t.leader_bins, t.leader_counts)
                    UNION ALL SELECT * FROM unnest(excluded.leader_bins, excluded.leader_counts)) AS u(bin, n)
              GROUP BY u.bin) AS m),
      v2_patients = t.v2_patients + excluded.v2_patients,
      objective_responses = t.objective_responses + excluded.objective_responses,
      toxic_deaths = t.toxic_deaths + excluded.toxic_deaths,
      grade4_neutropenia = t.grade4_neutropenia + excluded.grade4_neutropenia,
      dosed_patients = t.dosed_patients + excluded.dosed_patients,
      dose_intensity_sum = t.dose_intensity_sum + excluded.dose_intensity_sum,
      recist_best_response = ARRAY(SELECT x + y FROM unnest(t.recist_best_response, excluded.recist_best_response) WITH ORDINALITY AS u(x, y, i) ORDER BY i);
  $$;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_tally_stored_outcomes(uuid, integer[], integer[], integer[]) TO frontline_app;--> statement-breakpoint
-- Sweeps stored before this migration: their rows' survival times onto the grid (what the write path
-- now does), then their tables from the rows. Outcomes already on the grid are unchanged.
UPDATE outcomes o SET
  os_days = greatest(0, ceil(o.os_days / g.step - 1e-6::float8)) * g.step,
  pfs_days = greatest(0, ceil(o.pfs_days / g.step - 1e-6::float8)) * g.step,
  mfs_days = greatest(0, ceil(o.mfs_days / g.step - 1e-6::float8)) * g.step,
  scan_pfs_days = greatest(0, ceil(o.scan_pfs_days / g.step - 1e-6::float8)) * g.step
FROM (SELECT id, (params->>'stepDays')::float8 AS step FROM points) g
WHERE g.id = o.point_id;--> statement-breakpoint
SELECT frontline_tally_stored_outcomes(s.id, array_agg(DISTINCT sp.point_id), array_fill(0, ARRAY[count(DISTINCT sp.point_id)::int4]),
                                       array_fill(s.patients, ARRAY[count(DISTINCT sp.point_id)::int4]))
FROM sweeps s JOIN sweep_points sp ON sp.sweep_id = s.id GROUP BY s.id, s.patients;
