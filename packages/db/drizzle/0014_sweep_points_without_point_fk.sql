ALTER TABLE "sweep_points" DROP CONSTRAINT "sweep_points_point_id_points_id_fk";
