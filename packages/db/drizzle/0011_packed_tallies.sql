ALTER TABLE "sweep_point_tallies" ADD COLUMN "leader_histogram" "bytea" DEFAULT ''::bytea NOT NULL;--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" ADD COLUMN "counts" "bytea" DEFAULT ''::bytea NOT NULL;--> statement-breakpoint
-- Hand-written (issue 13): the tables' counts packed into varints (packages/db/src/tallies/packed-counts.ts
-- is the format and its reference; these SQL encoders write the same bytes). The generated ADD COLUMNs above
-- take a default so existing rows can be converted here before the generated DROPs below.
CREATE FUNCTION frontline_varint(v bigint) RETURNS bytea
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT decode(string_agg(lpad(to_hex(((v >> (7 * i)) & 127) | CASE WHEN v >> (7 * (i + 1)) > 0 THEN 128 ELSE 0 END), 2, '0'),
                             '' ORDER BY i), 'hex')
    FROM generate_series(0, 8) AS i WHERE i = 0 OR v >> (7 * i) > 0
  $$;--> statement-breakpoint
-- Per step (ascending): varint(gap × 4 + tag), gap = step − previous − 1 (previous of the first: −1); tag 0 = one
-- event, 1 = one censoring, 2 = varint(events) and no censoring, 3 = varint(events), varint(censored).
CREATE FUNCTION frontline_pack_step_counts(steps integer[], events integer[], censored integer[]) RETURNS bytea
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = public AS $$
    SELECT coalesce(string_agg(CASE
        WHEN e = 1 AND c = 0 THEN frontline_varint(g * 4)
        WHEN e = 0 AND c = 1 THEN frontline_varint(g * 4 + 1)
        WHEN c = 0 THEN frontline_varint(g * 4 + 2) || frontline_varint(e)
        ELSE frontline_varint(g * 4 + 3) || frontline_varint(e) || frontline_varint(c) END, ''::bytea ORDER BY k), ''::bytea)
    FROM (SELECT k, e, c, s::int8 - coalesce(lag(s) OVER (ORDER BY k), -1) - 1 AS g
          FROM unnest(steps, events, censored) WITH ORDINALITY AS u(s, e, c, k)) AS x
  $$;--> statement-breakpoint
-- Per bin (ascending): varint(gap × 2 + tag); tag 0 = one value, 1 = varint(count).
CREATE FUNCTION frontline_pack_histogram(bins integer[], counts integer[]) RETURNS bytea
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = public AS $$
    SELECT coalesce(string_agg(CASE WHEN n = 1 THEN frontline_varint(g * 2)
                                    ELSE frontline_varint(g * 2 + 1) || frontline_varint(n) END, ''::bytea ORDER BY k), ''::bytea)
    FROM (SELECT k, n, b::int8 - coalesce(lag(b) OVER (ORDER BY k), -1) - 1 AS g
          FROM unnest(bins, counts) WITH ORDINALITY AS u(b, n, k)) AS x
  $$;--> statement-breakpoint
UPDATE sweep_survival_tallies SET counts = frontline_pack_step_counts(steps, events, censored);--> statement-breakpoint
UPDATE sweep_point_tallies SET leader_histogram = frontline_pack_histogram(leader_bins, leader_counts);--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" ALTER COLUMN "counts" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" ALTER COLUMN "leader_histogram" DROP DEFAULT;--> statement-breakpoint
-- Reuse (tallies/reuse.ts) seeds a new sweep's tables from stored rows in one call, into points without rows
-- (a second call for the same point is an error, never a silent double count); ingest merges in
-- tallies/record-tallies.ts. The same aggregation as migration 0008, packed.
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
    INSERT INTO sweep_point_tallies (tenant_id, sweep_id, point_id, patients, cured, best_response, leader_histogram,
      v2_patients, objective_responses, toxic_deaths, grade4_neutropenia, dosed_patients, dose_intensity_sum,
      recist_best_response)
    SELECT s.tenant_id, s.id, a.point_id, a.patients, a.cured, a.best_response, frontline_pack_histogram(h.bins, h.counts),
           a.v2_patients, a.objective_responses, a.toxic_deaths, a.grade4_neutropenia, a.dosed_patients,
           a.dose_intensity_sum, a.recist_best_response
    FROM a JOIN h USING (point_id) JOIN sweeps s ON s.id = sweep;
  $$;--> statement-breakpoint
-- End of the hand-written part; generated again from here.
ALTER TABLE "sweep_point_tallies" DROP COLUMN "leader_bins";--> statement-breakpoint
ALTER TABLE "sweep_point_tallies" DROP COLUMN "leader_counts";--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" DROP COLUMN "steps";--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" DROP COLUMN "events";--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" DROP COLUMN "censored";
