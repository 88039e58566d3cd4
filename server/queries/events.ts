// Events of an issue: one read function per question.
import type { Queryable } from '../db/client.ts';
import { toDate } from '../db/client.ts';

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
  tags: [string, string][];
  data: Record<string, unknown>;
  grouping: Record<string, unknown> | null;
}

const SUMMARY_COLUMNS = `project_id, replace(event_id::text, '-', '') AS event_id, issue_id, timestamp, received, level, platform,
  environment, release, title, message, user_key, tags`;
const FULL_COLUMNS = `${SUMMARY_COLUMNS}, data, grouping`;

/** The JSON text columns (see db/schema.ts) parsed; timestamps as Dates. */
function fix(row: Record<string, unknown>): EventRow {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    ...(row as unknown as EventRow),
    tags: json(row.tags) ?? [],
    data: json(row.data),
    grouping: json(row.grouping) ?? null,
    timestamp: toDate(row.timestamp),
    received: toDate(row.received),
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
  const cols = q.full ? FULL_COLUMNS : SUMMARY_COLUMNS;
  const params: unknown[] = [q.issueId, q.limit + 1];
  let where = 'issue_id = $1';
  let order = 'timestamp DESC, event_id DESC';
  if (q.after) {
    params.push(new Date(q.after.value).toISOString(), q.after.id);
    if (q.after.prev) {
      where += ' AND (timestamp, event_id) > ($3::timestamptz, $4::uuid)';
      order = 'timestamp ASC, event_id ASC';
    } else {
      where += ' AND (timestamp, event_id) < ($3::timestamptz, $4::uuid)';
    }
  }
  const rows = await db.query(`SELECT ${cols} FROM events WHERE ${where} ORDER BY ${order} LIMIT $2`, params);
  return rows.map(fix);
}

export async function getIssueEvent(db: Queryable, issueId: number, which: 'latest' | 'oldest'): Promise<EventRow | null> {
  const order = which === 'latest' ? 'timestamp DESC, event_id DESC' : 'timestamp ASC, event_id ASC';
  const [row] = await db.query(`SELECT ${FULL_COLUMNS} FROM events WHERE issue_id = $1 ORDER BY ${order} LIMIT 1`, [issueId]);
  return row ? fix(row) : null;
}

export async function getEventById(db: Queryable, projectId: number, eventId: string): Promise<EventRow | null> {
  const [row] = await db.query(`SELECT ${FULL_COLUMNS} FROM events WHERE project_id = $1 AND event_id = $2::uuid`, [projectId, eventId]);
  return row ? fix(row) : null;
}

/** The neighbours of an event within its issue, in time order. */
export async function adjacentEventIds(db: Queryable, ev: EventRow): Promise<{ previous: string | null; next: string | null }> {
  const ts = ev.timestamp.toISOString();
  const [prev] = await db.query<{ event_id: string }>(
    `SELECT replace(event_id::text, '-', '') AS event_id FROM events WHERE issue_id = $1 AND (timestamp, event_id) < ($2::timestamptz, $3::uuid)
     ORDER BY timestamp DESC, event_id DESC LIMIT 1`,
    [ev.issue_id, ts, ev.event_id],
  );
  const [next] = await db.query<{ event_id: string }>(
    `SELECT replace(event_id::text, '-', '') AS event_id FROM events WHERE issue_id = $1 AND (timestamp, event_id) > ($2::timestamptz, $3::uuid)
     ORDER BY timestamp ASC, event_id ASC LIMIT 1`,
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
