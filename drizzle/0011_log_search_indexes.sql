-- Log search over millions of records (written by hand, like 0010: drizzle-kit has no partitioned
-- tables). Free text is a substring match on the body (ILIKE '%…%'), which only a trigram index can
-- answer without reading every body of the range; an attribute equality is a jsonb containment
-- prefilter (`attributes @> {"key": {"value": …}}`). Both are GIN indexes with a large pending list:
-- the digest appends records in batches of thousands, and merging the pending list in big sorted runs
-- costs a fraction of inserting every trigram into the tree one by one (measured: the digest's
-- end-to-end rate halved with the default 4 MB list and came back with a large one).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "log_records_body_trgm" ON "log_records" USING gin ("body" gin_trgm_ops) WITH (gin_pending_list_limit = 32768);--> statement-breakpoint
CREATE INDEX "log_records_attributes" ON "log_records" USING gin ("attributes" jsonb_path_ops) WITH (gin_pending_list_limit = 32768);
