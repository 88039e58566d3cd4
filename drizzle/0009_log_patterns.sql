CREATE TABLE "log_pattern_stats" (
	"pattern_id" bigint NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"level" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "log_pattern_stats_pattern_id_bucket_level_pk" PRIMARY KEY("pattern_id","bucket","level")
);
--> statement-breakpoint
CREATE TABLE "log_patterns" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"version" text NOT NULL,
	"cluster_key" text NOT NULL,
	"template" text NOT NULL,
	"sample" text NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "log_retention_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "log_patterns" ADD CONSTRAINT "log_patterns_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "log_pattern_stats_bucket" ON "log_pattern_stats" USING btree ("bucket");--> statement-breakpoint
CREATE UNIQUE INDEX "log_patterns_identity" ON "log_patterns" USING btree ("project_id","version","cluster_key");--> statement-breakpoint
CREATE INDEX "log_patterns_project_last_seen" ON "log_patterns" USING btree ("project_id","last_seen");