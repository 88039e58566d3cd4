// The schema, ingest: the durable queue, event payloads as they arrived, and items set aside.
import { bigserial, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { tz } from './schema-columns.ts';


/**
 * The durable queue between ingest and digest (architecture: "The path of one event").
 * A row exists from the moment ingest answered 2xx until the digest transaction that stored it commits.
 */
export const ingestQueue = pgTable('ingest_queue', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  projectId: integer('project_id').notNull(),
  kind: text('kind').notNull(),
  receivedAt: tz('received_at').notNull().defaultNow(),
  /** For events: the payload is in event_payloads under (project_id, event_id). */
  eventId: uuid('event_id'),
  /** The item payload exactly as accepted (JSON text), for items whose payload is not stored elsewhere. */
  payload: text('payload'),
  /** Envelope-level facts the digest needs: event id, sent_at, client ip, sdk. JSON text. */
  meta: text('meta').notNull(),
  attempts: integer('attempts').notNull().default(0),
}, (t) => [
  // The log digest loops claim log containers only (pipeline/worker.ts).
  index('ingest_queue_logs').on(t.id).where(sql`${t.kind} = 'log'`),
]);

/**
 * Every accepted event's payload exactly as it arrived, written once, by ingest, in the same statement
 * as its queue row. The digest stores only what it derives (events, issues, counters); reading an
 * event normalizes this payload again with the same inputs (prepare.ts), which is deterministic.
 * Writing the 5 KB body once instead of twice was the largest saving in the digest (see README).
 */
export const eventPayloads = pgTable(
  'event_payloads',
  {
    projectId: integer('project_id').notNull(),
    eventId: uuid('event_id').notNull(),
    receivedAt: tz('received_at').notNull(),
    /** Same as the queue row's meta. */
    meta: text('meta').notNull(),
    payload: text('payload').notNull(),
  },
  (t) => [primaryKey({ name: 'event_payloads_pkey', columns: [t.projectId, t.eventId] })],
);

/** Items the digest could not process after retries; kept for inspection, never silently lost. */
export const ingestFailed = pgTable('ingest_failed', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  projectId: integer('project_id').notNull(),
  kind: text('kind').notNull(),
  receivedAt: tz('received_at').notNull(),
  payload: text('payload'),
  meta: text('meta').notNull(),
  error: text('error').notNull(),
  failedAt: tz('failed_at').notNull().defaultNow(),
});

/**
 * Spool files (pipeline/spool.ts) already copied into the queue: the file's id is inserted in the same
 * transaction as its rows, so a file replayed again (a crash between that commit and the file's removal,
 * or two processes on one spool directory) adds nothing. Kept a day after the file is gone.
 */
export const spoolReplays = pgTable('spool_replays', {
  id: text('id').primaryKey(),
  replayedAt: tz('replayed_at').notNull().defaultNow(),
});
