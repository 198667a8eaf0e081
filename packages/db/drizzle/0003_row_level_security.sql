-- Tenant isolation in the database itself. The API and workers act as the non-owner role
-- frontline_app and name their tenant per checkout (set_config('frontline.tenant', …)); with no
-- tenant named, tenant-owned tables show and accept nothing. Points and outcomes are
-- content-addressed numbers shared across tenants (reuse), never linked to another tenant's sweep.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'frontline_app') THEN
    CREATE ROLE frontline_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;--> statement-breakpoint
GRANT frontline_app TO CURRENT_USER;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO frontline_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON sweeps, sweep_points, chunks TO frontline_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON worker_heartbeats TO frontline_app;--> statement-breakpoint
GRANT SELECT, INSERT ON points, outcomes TO frontline_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON api_keys TO frontline_app;--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO frontline_app;--> statement-breakpoint
ALTER TABLE sweeps ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE sweeps FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON sweeps
  USING (tenant_id = current_setting('frontline.tenant', true))
  WITH CHECK (tenant_id = current_setting('frontline.tenant', true));--> statement-breakpoint
ALTER TABLE sweep_points ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE sweep_points FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON sweep_points
  USING (tenant_id = current_setting('frontline.tenant', true))
  WITH CHECK (tenant_id = current_setting('frontline.tenant', true));--> statement-breakpoint
ALTER TABLE chunks ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE chunks FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON chunks
  USING (tenant_id = current_setting('frontline.tenant', true))
  WITH CHECK (tenant_id = current_setting('frontline.tenant', true));--> statement-breakpoint
-- The two questions that span tenants, answered by the migrating role (superuser or BYPASSRLS):
-- which chunks are pending (the reconciler), and whose sweep a queued chunk belongs to (workers).
CREATE FUNCTION frontline_pending_chunks()
  RETURNS TABLE (tenant_id text, sweep_id uuid, chunk_index integer, priority text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT c.tenant_id, c.sweep_id, c.chunk_index, s.priority
    FROM chunks c JOIN sweeps s ON s.id = c.sweep_id
    WHERE c.status = 'pending' AND s.status IN ('queued', 'running')
    ORDER BY s.created_at, c.chunk_index
  $$;--> statement-breakpoint
CREATE FUNCTION frontline_sweep_tenant(sweep uuid)
  RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT tenant_id FROM sweeps WHERE id = sweep
  $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_pending_chunks() FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_sweep_tenant(uuid) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_pending_chunks() TO frontline_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_sweep_tenant(uuid) TO frontline_app;
