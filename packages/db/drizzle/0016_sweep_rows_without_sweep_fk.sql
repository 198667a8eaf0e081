-- A sweep's points and tables lose their foreign key to sweeps: its per-row check was half the cost of writing
-- them. Writers hold the sweep's row instead, and deleteSweep deletes these rows itself (schema.ts).
ALTER TABLE "sweep_point_tallies" DROP CONSTRAINT "sweep_point_tallies_sweep_id_sweeps_id_fk";
--> statement-breakpoint
ALTER TABLE "sweep_points" DROP CONSTRAINT "sweep_points_sweep_id_sweeps_id_fk";
--> statement-breakpoint
ALTER TABLE "sweep_survival_tallies" DROP CONSTRAINT "sweep_survival_tallies_sweep_id_sweeps_id_fk";
