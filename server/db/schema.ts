// The one schema, for PGlite and Postgres alike (architecture: "Storage").
// Migrations are generated from this file, which gathers the four below, by drizzle-kit into drizzle/
// and never edited once landed.
// Only SQL that Postgres 15 and PGlite (Postgres 18) both run.
export * from './schema-people.ts';
export * from './schema-ingest.ts';
export * from './schema-issues.ts';
export * from './schema-logs.ts';
