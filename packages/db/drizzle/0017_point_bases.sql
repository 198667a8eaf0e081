-- Points keep only what differs from a shared base (schema.ts point_rows): a sampled design's point was ~1.3 kB
-- of jsonb (lf-tid@2's 57 parameters) to write and read back, nearly all of it the same for every point.
-- The table becomes point_rows; `points` is now a view with every point's whole parameters, so readers
-- (reuse's tally function, exports, adaptive cohorts) are unchanged. Existing rows have no base (all their
-- parameters).
ALTER TABLE "points" RENAME TO "point_rows";--> statement-breakpoint
ALTER TABLE "point_rows" RENAME CONSTRAINT "points_hash_unique" TO "point_rows_hash_unique";--> statement-breakpoint
ALTER TABLE "point_rows" ADD COLUMN "base_id" integer;--> statement-breakpoint
CREATE TABLE "point_bases" (
	"id" serial PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"params" jsonb NOT NULL,
	CONSTRAINT "point_bases_hash_unique" UNIQUE("hash")
);--> statement-breakpoint
CREATE VIEW "points" AS
  SELECT r.id, r.hash, r.model_id,
         CASE WHEN r.base_id IS NULL THEN r.params ELSE b.params || r.params END AS params
  FROM "point_rows" r LEFT JOIN "point_bases" b ON b.id = r.base_id;--> statement-breakpoint
-- As points were (0003): the app may read and add points and bases, never change or delete them.
GRANT SELECT, INSERT ON point_rows, point_bases TO frontline_app;--> statement-breakpoint
GRANT SELECT ON points TO frontline_app;--> statement-breakpoint
GRANT USAGE ON SEQUENCE point_bases_id_seq TO frontline_app;
