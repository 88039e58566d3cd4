// The schema, logs: patterns and their counts (log_records itself is created by a hand-written migration).
import { bigint, bigserial, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';
import { projects } from './schema-people.ts';

// log_records itself is a table partitioned by day, which drizzle-kit cannot describe: it is created by
// a hand-written migration (drizzle/0010_log_records.sql) and queried with SQL (server/logs/*).

/** A log pattern: similar log lines grouped, like errors into issues (server/logs/patterns). */
export const logPatterns = pgTable(
  'log_patterns',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** How the pattern was made: 'template' (sentry.message.template) or the miner's version. */
    version: text('version').notNull(),
    /** Identity within (project, version): the template itself, or the miner's cluster key. */
    clusterKey: text('cluster_key').notNull(),
    /** The pattern as shown: the template, with <*> where lines vary. */
    template: text('template').notNull(),
    /** One real line. */
    sample: text('sample').notNull(),
    firstSeen: tz('first_seen').notNull(),
    lastSeen: tz('last_seen').notNull(),
    count: bigint('count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [uniqueIndex('log_patterns_identity').on(t.projectId, t.version, t.clusterKey), index('log_patterns_project_last_seen').on(t.projectId, t.lastSeen)],
);

/** Records per pattern, hour and level: pattern lists, sparklines and the volume histogram. */
export const logPatternStats = pgTable(
  'log_pattern_stats',
  {
    patternId: bigint('pattern_id', { mode: 'number' }).notNull(),
    bucket: tz('bucket').notNull(),
    level: text('level').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.patternId, t.bucket, t.level] }), index('log_pattern_stats_bucket').on(t.bucket)],
);
