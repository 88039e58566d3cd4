CREATE TABLE "event_payloads" (
	"project_id" integer NOT NULL,
	"event_id" uuid NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"meta" text NOT NULL,
	"payload" text NOT NULL,
	CONSTRAINT "event_payloads_pkey" PRIMARY KEY("project_id","event_id")
);
--> statement-breakpoint
ALTER TABLE "ingest_failed" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_queue" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_queue" ADD COLUMN "event_id" uuid;--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "data";