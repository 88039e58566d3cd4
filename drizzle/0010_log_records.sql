-- Log records, partitioned by day on their timestamp (written by hand: drizzle-kit has no partitioned
-- tables). Daily partitions are created ahead by server/logs/partitions.ts; the DEFAULT partition takes
-- records outside them (very old or far-future timestamps). Retention drops whole daily partitions.
CREATE TABLE "log_records" (
	"project_id" integer NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"id" uuid NOT NULL,
	"observed" timestamp with time zone,
	"received" timestamp with time zone NOT NULL,
	"level" text NOT NULL,
	"severity_number" smallint NOT NULL,
	"body" text NOT NULL,
	"trace_id" text,
	"span_id" text,
	"release" text,
	"environment" text,
	"service" text,
	"pattern_id" bigint NOT NULL,
	"attributes" jsonb NOT NULL,
	PRIMARY KEY ("timestamp", "id")
) PARTITION BY RANGE ("timestamp");--> statement-breakpoint
CREATE TABLE "log_records_default" PARTITION OF "log_records" DEFAULT;--> statement-breakpoint
CREATE INDEX "log_records_project_time" ON "log_records" ("project_id", "timestamp" DESC, "id" DESC);--> statement-breakpoint
CREATE INDEX "log_records_pattern_time" ON "log_records" ("pattern_id", "timestamp" DESC);--> statement-breakpoint
CREATE INDEX "log_records_trace" ON "log_records" ("trace_id") WHERE "trace_id" IS NOT NULL;
