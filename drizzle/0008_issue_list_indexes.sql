DROP INDEX "issue_tags_key_value";--> statement-breakpoint
CREATE INDEX "issue_tags_key_value_issue" ON "issue_tags" USING btree ("key","value","issue_id");--> statement-breakpoint
-- Added by hand (drizzle-kit has no statistics objects): a tag value belongs to its key, so the planner's
-- product of the two selectivities took `environment:production` (96 % of issues) for 1.5 % and read the
-- issue list from the tag side; with the (key, value) MCV list it walks the list's index instead.
CREATE STATISTICS IF NOT EXISTS "issue_tags_key_value_stats" (mcv) ON "key", "value" FROM "issue_tags";
