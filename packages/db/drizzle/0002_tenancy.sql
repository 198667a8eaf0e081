CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"role" text NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
-- Existing rows belong to the sweep's tenant; the default only backfills them, then goes.
ALTER TABLE "chunks" ADD COLUMN "tenant_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
UPDATE "chunks" c SET "tenant_id" = s."tenant_id" FROM "sweeps" s WHERE s."id" = c."sweep_id";--> statement-breakpoint
ALTER TABLE "chunks" ALTER COLUMN "tenant_id" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD COLUMN "tenant_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
UPDATE "sweep_points" p SET "tenant_id" = s."tenant_id" FROM "sweeps" s WHERE s."id" = p."sweep_id";--> statement-breakpoint
ALTER TABLE "sweep_points" ALTER COLUMN "tenant_id" DROP DEFAULT;