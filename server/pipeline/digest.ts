// The digest (architecture step 3): claim a batch from the queue, group it, and store it in ONE
// transaction: find or create the issues, insert the events (deduplicated on project + event_id),
// bump counters, users, tags and hourly stats, reopen regressed issues, and delete the batch from the
// queue. A crash anywhere rolls the whole batch back onto the queue: nothing lost, nothing counted twice.
//
// A batch is claimed whole (its rows stay locked until commit) but read and stored in chunks, so only
// one chunk of full events is in memory at a time; per-issue counters are summed over the whole batch
// and written once (digest-counters.ts).
import type { Tx } from '../db/client.ts';
import { PREPARED, toDate } from '../db/client.ts';
import { BatchCounters } from './digest-counters.ts';
import { insertEvents, resolveIssues } from './digest-issues.ts';
import { LogPatternAssigner, type PatternAssigner } from '../logs/assign.ts';
import { digestLogs } from '../logs/digest.ts';
import { PayloadCache, payloadText } from './payload-cache.ts';
import { inlinePreparer, type Preparer } from './prepare-pool.ts';
import { groupingComponentsJson, type PreparedEvent, type QueueRow } from './prepare.ts';
import type { QueueMeta } from './queue.ts';

export interface BatchResult {
  claimed: number;
  stored: number;
  duplicates: number;
  failed: Array<{ queueId: number; error: string }>;
}

/** For callers that keep no assigner of their own (tests, one-off drains). */
const defaultAssigner = new LogPatternAssigner();

/** Events read, prepared and inserted together. */
const CHUNK = 250;

// Array parameters of timestamps and booleans travel as text[] and are cast in SQL: drizzle replaces
// postgres.js' serializer for timestamptz[] with a pass-through, and postgres.js types a JS boolean
// array as a scalar bool.
/** What a digest loop claims: everything (PGlite's one loop, drain), or events or log containers only. */
export type DigestKinds = 'all' | 'events' | 'logs';
export const KIND_FILTER: Record<DigestKinds, string> = { all: '', events: `WHERE kind <> 'log'`, logs: `WHERE kind = 'log'` };
// The payload column is only set for log containers (events keep theirs in event_payloads); the claim
// reads its size (octet_length reads the TOAST header, not the value) and the chosen ones are read after.
const claimSql = (kinds: DigestKinds) => `SELECT id, project_id, kind, received_at, replace(event_id::text, '-', '') AS event_id, meta, attempts,
    coalesce(octet_length(payload), 0) AS log_bytes
  FROM ingest_queue ${KIND_FILTER[kinds]} ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;
const LOG_PAYLOADS_SQL = 'SELECT id, payload FROM ingest_queue WHERE id = ANY($1::int8[])';
/**
 * Log containers hold up to hundreds of records each: a batch takes containers up to this many bytes
 * (at least one), so a batch of logs is thousands of records, not the 2000 containers' hundreds of
 * thousands (measured: 140 MB claims that took longer than storing their records). The rows claimed
 * past the budget stay queued for the next batch.
 */
const LOG_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Rows a log loop claims at most, whatever the events' batch size: the rows past the byte budget stay
 * locked until the batch commits, out of the other log loops' reach.
 */
const LOG_CLAIM_ROWS = 2000;
const PAYLOADS_SQL = `SELECT p.project_id, replace(p.event_id::text, '-', '') AS event_id, p.payload
  FROM event_payloads p JOIN unnest($1::int[], $2::uuid[]) AS w(project_id, event_id)
    ON p.project_id = w.project_id AND p.event_id = w.event_id`;

/**
 * Digests up to `limit` queued items in the caller's transaction. `cache` holds payloads this process
 * ingested (payload-cache.ts); the others are read from the queue.
 */
export interface DigestOptions {
  cache?: PayloadCache | null;
  preparer?: Preparer;
  /** Log patterns of this process (stateful across batches). */
  logPatterns?: PatternAssigner;
  /** Bytes of log containers per batch (LOG_BATCH_BYTES; tests make it small). */
  logBatchBytes?: number;
  /** Which rows to claim (all by default). */
  kinds?: DigestKinds;
}

export async function digestBatch(tx: Tx, limit: number, opts: DigestOptions = {}): Promise<BatchResult> {
  const { cache = null, preparer = inlinePreparer, logPatterns = defaultAssigner, logBatchBytes = LOG_BATCH_BYTES, kinds = 'all' } = opts;
  // Safe without waiting for the WAL flush: if this commit is lost in a crash, the queue rows it
  // deleted come back with it, so the batch is digested again and counted once.
  await tx.query('SET LOCAL synchronous_commit = off');
  const locked = (await tx.query<Omit<QueueRow, 'payload'> & { log_bytes: number | string }>(claimSql(kinds), [kinds === 'logs' ? Math.min(limit, LOG_CLAIM_ROWS) : limit], PREPARED)).sort((a, b) => Number(a.id) - Number(b.id));
  const all = withinLogBudget(locked, logBatchBytes);
  const result: BatchResult = { claimed: all.length, stored: 0, duplicates: 0, failed: [] };
  if (all.length === 0) return result;
  const claimed = all.filter((r) => r.kind !== 'log');
  const logRows = all.filter((r) => r.kind === 'log');
  if (logRows.length > 0) {
    const payloads = new Map(
      (await tx.query<{ id: number | string; payload: string | null }>(LOG_PAYLOADS_SQL, [logRows.map((r) => r.id)], PREPARED)).map((r) => [Number(r.id), r.payload ?? '']),
    );
    result.stored += await digestLogs(
      tx,
      logRows.map((r) => ({ id: Number(r.id), project_id: r.project_id, received_at: toDate(r.received_at), payload: payloads.get(Number(r.id)) ?? '' })),
      logPatterns,
    );
  }

  const counters = new BatchCounters();
  const seen = new Set<string>();
  // Chunk i+1 is read and prepared (in a worker thread) while chunk i is being stored.
  const load = async (from: number) => {
    const rows = await withPayloads(tx, claimed.slice(from, from + CHUNK), cache);
    // Events ingest already prepared (cached) are taken as they are; the rest are prepared here.
    const todo = rows.filter((r) => !r.prepared);
    const done = todo.length > 0 ? await preparer.prepare(todo.map(({ row, meta }) => ({ row, meta, receivedAt: toDate(row.received_at) }))) : [];
    let j = 0;
    const results = rows.map((r) => {
      if (!r.prepared) return done[j++];
      r.prepared.queueId = r.row.id;
      return r.prepared;
    });
    return { rows, results };
  };
  let next: ReturnType<typeof load> | null = claimed.length > 0 ? load(0) : null;
  for (let i = 0; i < claimed.length; i += CHUNK) {
    const { rows, results } = await next!;
    next = i + CHUNK < claimed.length ? load(i + CHUNK) : null;
    const byQueueId = new Map(rows.map((r) => [Number(r.row.id), r]));
    const events: PreparedEvent[] = [];
    for (const e of results) {
      if ('error' in e) {
        // Deterministic: the same bytes would fail again. Keep them for inspection instead.
        result.failed.push({ queueId: Number(e.queueId), error: e.error });
        continue;
      }
      // One event per (project, event_id) within the batch: a retry that arrived twice counts once.
      const k = `${e.projectId}:${e.eventId}`;
      if (seen.has(k)) result.duplicates++;
      else {
        seen.add(k);
        events.push(e);
      }
    }
    if (events.length === 0) continue;
    const issueOf = await resolveIssues(tx, events, (e) => {
      const { row, meta } = byQueueId.get(Number(e.queueId))!;
      return groupingComponentsJson(payloadText(row.payload), meta, toDate(row.received_at));
    });
    const inserted = await insertEvents(tx, events, issueOf);
    result.duplicates += events.length - inserted.length;
    result.stored += inserted.length;
    counters.add(inserted, issueOf);
  }
  await counters.flush(tx);

  if (result.failed.length > 0) await setAside(tx, result.failed);
  await tx.query('DELETE FROM ingest_queue WHERE id = ANY($1::int8[])', [all.map((r) => r.id)], PREPARED);
  return result;
}

/** The oldest claimed rows, up to the first log container that fills the budget. */
function withinLogBudget<T extends { log_bytes: number | string }>(rows: T[], budget: number): T[] {
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    bytes += Number(rows[i].log_bytes);
    if (bytes >= budget) return rows.slice(0, i + 1);
  }
  return rows;
}

/** The chunk's rows with their payloads (and prepared events): from the cache where this process ingested them, else read. */
async function withPayloads(tx: Tx, rows: Array<Omit<QueueRow, 'payload'>>, cache?: PayloadCache | null): Promise<Array<{ row: QueueRow; meta: QueueMeta; prepared: PreparedEvent | null }>> {
  const out = rows.map((r) => {
    const meta = JSON.parse(r.meta) as QueueMeta;
    const taken = cache?.take(PayloadCache.key(r.project_id, meta.eventId));
    // With another receive time, it belongs to another copy of the event (an SDK retry): read this one.
    const hit = taken && taken.receivedMs === toDate(r.received_at).getTime() ? taken : undefined;
    // Bytes stay bytes until their event is prepared: decoded here, a chunk's texts outlived a young-generation GC.
    return { row: { ...r, payload: hit?.payload ?? '' } as QueueRow, meta, prepared: hit?.prepared ?? null, cached: hit !== undefined };
  });
  const missing = out.filter((o) => !o.cached);
  if (missing.length > 0) {
    const read = await tx.query<{ project_id: number; event_id: string; payload: string }>(PAYLOADS_SQL, [
      missing.map((o) => o.row.project_id),
      missing.map((o) => o.meta.eventId),
    ], PREPARED);
    const byKey = new Map(read.map((r) => [PayloadCache.key(r.project_id, r.event_id), r.payload]));
    for (const o of missing) o.row.payload = byKey.get(PayloadCache.key(o.row.project_id, o.meta.eventId)) ?? '';
  }
  return out;
}

/**
 * Moves queue rows that cannot be digested to ingest_failed, with their payloads, for inspection.
 * Shared by the digest (a deterministic failure) and the worker (a row that failed alone too often).
 */
export async function setAside(tx: Tx, failed: Array<{ queueId: number; error: string }>): Promise<void> {
  await tx.query(
    `WITH f AS (SELECT * FROM unnest($1::int8[], $2::text[]) AS f(id, error)),
          d AS (DELETE FROM ingest_queue q USING f WHERE q.id = f.id RETURNING q.*, f.error),
          p AS (DELETE FROM event_payloads p USING d WHERE p.project_id = d.project_id AND p.event_id = d.event_id
                RETURNING p.project_id, p.event_id, p.payload)
     INSERT INTO ingest_failed (project_id, kind, received_at, payload, meta, error)
     SELECT d.project_id, d.kind, d.received_at, coalesce(d.payload, p.payload), d.meta, d.error
     FROM d LEFT JOIN p ON p.project_id = d.project_id AND p.event_id = d.event_id`,
    [failed.map((f) => f.queueId), failed.map((f) => f.error)],
  );
}
