// Events of an issue: one read function per question.
import type { Queryable } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import { normalizeStored } from '../pipeline/prepare.ts';
import type { QueueMeta } from '../pipeline/queue.ts';

export interface EventRow {
  project_id: number;
  event_id: string;
  issue_id: number;
  timestamp: Date;
  received: Date;
  level: string;
  platform: string | null;
  environment: string | null;
  release: string | null;
  title: string;
  message: string;
  user_key: string | null;
  /** {id, email, username, ip_address} */
  user: Record<string, unknown> | null;
  tags: [string, string][];
  /** The normalized event (full reads only). */
  data: Record<string, unknown> | null;
  grouping: Record<string, unknown> | null;
}

const SUMMARY_COLUMNS = `e.project_id, replace(e.event_id::text, '-', '') AS event_id, e.issue_id, e.timestamp, e.received, e.level,
  e.platform, e.environment, e.release, e.title, e.message, e.user_key, e.tags, e.user_info`;
const FULL_COLUMNS = `${SUMMARY_COLUMNS}, e.grouping, p.payload, p.meta, p.received_at AS payload_received`;
const FROM_SUMMARY = 'events e';
const FROM_FULL = 'events e LEFT JOIN event_payloads p ON p.project_id = e.project_id AND p.event_id = e.event_id';

/**
 * The JSON text columns (see db/schema.ts) parsed, timestamps as Dates, and for full rows the event
 * normalized again from its stored payload exactly as the digest did.
 */
function fix(row: Record<string, unknown>): EventRow {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  let data: Record<string, unknown> | null = null;
  if (typeof row.payload === 'string' && typeof row.meta === 'string') {
    data = normalizeStored(row.payload, JSON.parse(row.meta) as QueueMeta, toDate(row.payload_received)) as unknown as Record<string, unknown>;
  }
  return {
    project_id: row.project_id as number,
    event_id: row.event_id as string,
    issue_id: Number(row.issue_id),
    timestamp: toDate(row.timestamp),
    received: toDate(row.received),
    level: row.level as string,
    platform: (row.platform as string) ?? null,
    environment: (row.environment as string) ?? null,
    release: (row.release as string) ?? null,
    title: row.title as string,
    message: row.message as string,
    user_key: (row.user_key as string) ?? null,
    user: json(row.user_info) ?? null,
    tags: json(row.tags) ?? [],
    data,
    grouping: json(row.grouping) ?? null,
  };
}

export interface EventPageQuery {
  issueId: number;
  limit: number;
  /** Keyset: events strictly older (or, with `prev`, newer) than this (timestamp ms, event id). */
  after?: { value: number; id: string; prev: boolean } | null;
  full: boolean;
}

/** Newest first. Returns one row more than `limit` when there is more in the direction read. */
export async function listIssueEvents(db: Queryable, q: EventPageQuery): Promise<EventRow[]> {
  const cols = q.full ? `${FULL_COLUMNS} FROM ${FROM_FULL}` : `${SUMMARY_COLUMNS} FROM ${FROM_SUMMARY}`;
  const params: unknown[] = [q.issueId, q.limit + 1];
  let where = 'e.issue_id = $1';
  let order = 'e.timestamp DESC NULLS LAST, e.event_id DESC NULLS LAST';
  if (q.after) {
    params.push(new Date(q.after.value).toISOString(), q.after.id);
    if (q.after.prev) {
      where += ' AND (e.timestamp, e.event_id) > ($3::timestamptz, $4::uuid)';
      order = 'e.timestamp ASC NULLS FIRST, e.event_id ASC NULLS FIRST';
    } else {
      where += ' AND (e.timestamp, e.event_id) < ($3::timestamptz, $4::uuid)';
    }
  }
  const rows = await db.query(`SELECT ${cols} WHERE ${where} ORDER BY ${order} LIMIT $2`, params);
  return rows.map(fix);
}

export async function getIssueEvent(db: Queryable, issueId: number, which: 'latest' | 'oldest'): Promise<EventRow | null> {
  const order = which === 'latest' ? 'e.timestamp DESC NULLS LAST, e.event_id DESC NULLS LAST' : 'e.timestamp ASC NULLS FIRST, e.event_id ASC NULLS FIRST';
  const [row] = await db.query(`SELECT ${FULL_COLUMNS} FROM ${FROM_FULL} WHERE e.issue_id = $1 ORDER BY ${order} LIMIT 1`, [issueId]);
  return row ? fix(row) : null;
}

export async function getEventById(db: Queryable, projectId: number, eventId: string): Promise<EventRow | null> {
  const [row] = await db.query(`SELECT ${FULL_COLUMNS} FROM ${FROM_FULL} WHERE e.project_id = $1 AND e.event_id = $2::uuid`, [projectId, eventId]);
  return row ? fix(row) : null;
}

/** The neighbours of an event within its issue, in time order. */
export async function adjacentEventIds(db: Queryable, ev: EventRow): Promise<{ previous: string | null; next: string | null }> {
  const ts = ev.timestamp.toISOString();
  const [prev] = await db.query<{ event_id: string }>(
    `SELECT replace(event_id::text, '-', '') AS event_id FROM events WHERE issue_id = $1 AND (timestamp, event_id) < ($2::timestamptz, $3::uuid)
     ORDER BY timestamp DESC NULLS LAST, event_id DESC NULLS LAST LIMIT 1`,
    [ev.issue_id, ts, ev.event_id],
  );
  const [next] = await db.query<{ event_id: string }>(
    `SELECT replace(event_id::text, '-', '') AS event_id FROM events WHERE issue_id = $1 AND (timestamp, event_id) > ($2::timestamptz, $3::uuid)
     ORDER BY timestamp ASC NULLS FIRST, event_id ASC NULLS FIRST LIMIT 1`,
    [ev.issue_id, ts, ev.event_id],
  );
  return { previous: prev?.event_id ?? null, next: next?.event_id ?? null };
}

/**
 * Why an event was grouped where it was: its hashes and variant, with the grouping components of its
 * primary hash (stored once per hash, see schema issue_hashes).
 */
export async function eventGroupingInfo(db: Queryable, ev: EventRow): Promise<Record<string, unknown>> {
  const g = (ev.grouping ?? {}) as { version?: string; hash?: string; hashes?: string[]; variant?: string };
  const [row] = g.hash
    ? await db.query<{ components: { variant?: string; variants?: Record<string, unknown> } | null }>(
        'SELECT components FROM issue_hashes WHERE project_id = $1 AND hash = $2',
        [ev.project_id, g.hash],
      )
    : [];
  return { version: g.version ?? null, hash: g.hash ?? null, hashes: g.hashes ?? [], variant: g.variant ?? null, variants: row?.components?.variants ?? {} };
}
