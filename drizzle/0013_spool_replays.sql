CREATE TABLE "spool_replays" (
	"id" text PRIMARY KEY NOT NULL,
	"replayed_at" timestamp with time zone DEFAULT now() NOT NULL
);
