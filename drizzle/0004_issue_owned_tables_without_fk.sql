ALTER TABLE "activities" DROP CONSTRAINT "activities_issue_id_issues_id_fk";
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_issue_id_issues_id_fk";
--> statement-breakpoint
ALTER TABLE "issue_hashes" DROP CONSTRAINT "issue_hashes_issue_id_issues_id_fk";
--> statement-breakpoint
ALTER TABLE "issue_stats" DROP CONSTRAINT "issue_stats_issue_id_issues_id_fk";
--> statement-breakpoint
ALTER TABLE "issue_tags" DROP CONSTRAINT "issue_tags_issue_id_issues_id_fk";
--> statement-breakpoint
ALTER TABLE "issue_users" DROP CONSTRAINT "issue_users_issue_id_issues_id_fk";
