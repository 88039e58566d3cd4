ALTER TABLE "events" ALTER COLUMN "data" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "user_info" jsonb;