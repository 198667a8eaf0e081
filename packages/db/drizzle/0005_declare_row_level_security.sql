-- Adoption, no change: schema.ts now declares the row-level security that the custom migrations
-- 0003 (tenant_isolation policies) and 0004 (api_keys role check, api_keys RLS) created, so that
-- drizzle-kit's snapshot knows them and `generate` reports no difference. Enabling RLS again is a
-- no-op; the policies and the check already exist and are not created twice.
ALTER TABLE "api_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "chunks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "sweep_points" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "sweeps" ENABLE ROW LEVEL SECURITY;
