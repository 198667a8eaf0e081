CREATE TABLE "sweep_workers" (
	"tenant_id" text NOT NULL,
	"sweep_id" uuid NOT NULL,
	"worker_host" text NOT NULL,
	"chunks" integer NOT NULL,
	CONSTRAINT "sweep_workers_sweep_id_worker_host_pk" PRIMARY KEY("sweep_id","worker_host")
);
--> statement-breakpoint
ALTER TABLE "sweep_workers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sweep_workers" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('frontline.tenant', true)) WITH CHECK (tenant_id = current_setting('frontline.tenant', true));--> statement-breakpoint
ALTER TABLE "sweep_workers" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON sweep_workers TO frontline_app;--> statement-breakpoint
-- The sweeps stored before are counted from their chunks; from now on the transaction that moves a chunk from
-- pending (completeChunk, failChunk) counts it.
INSERT INTO "sweep_workers" (tenant_id, sweep_id, worker_host, chunks)
SELECT tenant_id, sweep_id, worker_host, count(*)::int FROM "chunks" WHERE worker_host IS NOT NULL
GROUP BY tenant_id, sweep_id, worker_host;
