-- Deleting a sweep (DELETE /v1/sweeps/{id}). The app role deletes a sweep, its point links and its
-- chunks itself, under row-level security, so it can only ever reach its own tenant's rows.
GRANT DELETE ON sweeps, sweep_points, chunks TO frontline_app;--> statement-breakpoint
-- Outcomes are shared across tenants (same model, parameters and cohort seed are reused), so whether
-- an outcome is still needed spans tenants: this runs as the migrating role. It only ever removes
-- outcomes that no sweep of any tenant references any more (garbage), so the app role may call it
-- with any point ids. A reference is (point, cohort seed, patient index below the sweep's patients).
-- The exclusive lock pairs with the shared one createSweep takes before counting stored outcomes as
-- reused: a submission never counts outcomes that a concurrent deletion is removing.
CREATE FUNCTION frontline_delete_unreferenced_outcomes(point_ids integer[], seed bigint)
  RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  DECLARE
    deleted bigint;
  BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('frontline.outcome-reuse'));
    DELETE FROM outcomes o
    WHERE o.point_id = ANY (point_ids) AND o.cohort_seed = seed
      AND NOT EXISTS (
        SELECT 1 FROM sweep_points sp JOIN sweeps s ON s.id = sp.sweep_id
        WHERE sp.point_id = o.point_id AND s.cohort_seed = o.cohort_seed
          AND o.patient_index < s.patients
      );
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
  END
  $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_delete_unreferenced_outcomes(integer[], bigint) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_delete_unreferenced_outcomes(integer[], bigint) TO frontline_app;
