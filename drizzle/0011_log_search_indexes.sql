-- Log search over millions of records (written by hand, like 0010: drizzle-kit has no partitioned
-- tables). Free text is a substring match on the body (ILIKE '%…%'), which only a trigram index can
-- answer without reading every body of the range. An attribute equality is a jsonb containment
-- prefilter (`log_search_attributes(attributes) @> {"key": {"value": …}}`) over the attributes the app
-- set: the SDKs' own `sentry.*` ones (sdk name and version, template and parameters, origin, ...) are
-- most of every record's attributes, rarely searched, and indexing them cost a third of the digest's
-- rate; a search on them reads the records instead. Both indexes keep a large pending list: the digest
-- appends records in batches of thousands, and merging the list in big sorted runs costs a fraction of
-- inserting every entry into the tree one by one (measured: the default 4 MB list halved the digest's
-- end-to-end rate).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE FUNCTION log_search_attributes(a jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT a - ARRAY(SELECT k FROM jsonb_object_keys(a) AS k WHERE k LIKE 'sentry.%') $$;--> statement-breakpoint
CREATE INDEX "log_records_body_trgm" ON "log_records" USING gin ("body" gin_trgm_ops) WITH (gin_pending_list_limit = 32768);--> statement-breakpoint
CREATE INDEX "log_records_attributes" ON "log_records" USING gin (log_search_attributes("attributes") jsonb_path_ops) WITH (gin_pending_list_limit = 32768);
