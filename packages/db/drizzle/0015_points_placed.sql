ALTER TABLE "sweeps" ADD COLUMN "points_placed" integer;--> statement-breakpoint
-- Active sweeps whose points are still being placed, across tenants: the reconciler resumes a placement
-- whose API process died (its advisory lock went with its connection).
CREATE FUNCTION frontline_placing_sweeps()
  RETURNS TABLE (tenant_id text, sweep_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT s.tenant_id, s.id FROM sweeps s
    WHERE s.points_placed IS NOT NULL AND s.status IN ('queued', 'running')
    ORDER BY s.created_at
  $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_placing_sweeps() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_placing_sweeps() TO frontline_app;
