CREATE TABLE "chunks" (
	"sweep_id" uuid NOT NULL,
	"chunk_index" integer NOT NULL,
	"point_id" integer NOT NULL,
	"patient_start" integer NOT NULL,
	"patient_end" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"worker_host" text,
	"error" text,
	"finished_at" timestamp with time zone,
	CONSTRAINT "chunks_sweep_id_chunk_index_pk" PRIMARY KEY("sweep_id","chunk_index")
);
--> statement-breakpoint
CREATE TABLE "outcomes" (
	"point_id" integer NOT NULL,
	"cohort_seed" bigint NOT NULL,
	"patient_index" integer NOT NULL,
	"os_days" double precision NOT NULL,
	"os_event" boolean NOT NULL,
	"pfs_days" double precision NOT NULL,
	"pfs_event" boolean NOT NULL,
	"mfs_days" double precision NOT NULL,
	"mfs_event" boolean NOT NULL,
	"best_response" smallint NOT NULL,
	"nadir_cells" double precision NOT NULL,
	"nadir_day" double precision NOT NULL,
	"leader_fraction_at_diagnosis" double precision NOT NULL,
	"leader_fraction_at_nadir" double precision NOT NULL,
	"leader_fraction_at_end" double precision NOT NULL,
	"metastatic_cells_at_diagnosis" double precision NOT NULL,
	"seeding_events" integer NOT NULL,
	"cured" boolean NOT NULL,
	"min_effector" double precision NOT NULL,
	"redraws" integer NOT NULL,
	"sampled_growth_rate" double precision NOT NULL,
	"sampled_diagnosis_cells" double precision NOT NULL,
	"sampled_emt_plasticity" double precision NOT NULL,
	"sampled_elimination_rate" double precision NOT NULL,
	"sampled_max_drug_kill" double precision NOT NULL,
	"sampled_immune_kill" double precision NOT NULL,
	CONSTRAINT "outcomes_point_id_cohort_seed_patient_index_pk" PRIMARY KEY("point_id","cohort_seed","patient_index")
);
--> statement-breakpoint
CREATE TABLE "points" (
	"id" serial PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"model_id" text NOT NULL,
	"params" jsonb NOT NULL,
	CONSTRAINT "points_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "sweep_points" (
	"sweep_id" uuid NOT NULL,
	"point_index" integer NOT NULL,
	"point_id" integer NOT NULL,
	"axis_values" jsonb NOT NULL,
	CONSTRAINT "sweep_points_sweep_id_point_index_pk" PRIMARY KEY("sweep_id","point_index")
);
--> statement-breakpoint
CREATE TABLE "sweeps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"priority" text NOT NULL,
	"model_id" text NOT NULL,
	"code_version" text NOT NULL,
	"spec" jsonb NOT NULL,
	"axes" jsonb NOT NULL,
	"reference_arm" jsonb,
	"cohort_seed" bigint NOT NULL,
	"patients" integer NOT NULL,
	"points" integer NOT NULL,
	"total" bigint NOT NULL,
	"reused" bigint NOT NULL,
	"failure_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "worker_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"threads" integer NOT NULL,
	"busy" integer NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_point_id_points_id_fk" FOREIGN KEY ("point_id") REFERENCES "public"."points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD CONSTRAINT "sweep_points_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_points" ADD CONSTRAINT "sweep_points_point_id_points_id_fk" FOREIGN KEY ("point_id") REFERENCES "public"."points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chunks_pending_idx" ON "chunks" USING btree ("sweep_id") WHERE "chunks"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "sweep_points_point_idx" ON "sweep_points" USING btree ("point_id");--> statement-breakpoint
CREATE INDEX "sweeps_created_idx" ON "sweeps" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "sweeps_status_idx" ON "sweeps" USING btree ("status");