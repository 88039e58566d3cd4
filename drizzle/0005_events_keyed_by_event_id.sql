DROP INDEX "events_project_event_id";--> statement-breakpoint
DROP INDEX "events_issue_timestamp";--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "user_info" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "tags" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "grouping" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY("project_id","event_id");--> statement-breakpoint
CREATE INDEX "events_issue_timestamp" ON "events" USING btree ("issue_id","timestamp" DESC NULLS LAST,"event_id" DESC NULLS LAST);
