// An issue's activity (Sentry's Activity): comments ("note"), status changes, regressions,
// assignments, merges and unmerges, with who and when.
import type { Queryable } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import { pgText } from '../db/text.ts';
import { ApiError } from '../errors.ts';

export interface ActivityRow {
  id: number;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
  user: { id: number; name: string; email: string } | null;
}

const SELECT = `SELECT a.id, a.type, a.data, a.created_at, u.id AS user_id, u.name AS user_name, u.email AS user_email
  FROM activities a LEFT JOIN users u ON u.id = a.user_id`;

function fromRow(r: Record<string, unknown>): ActivityRow {
  return {
    id: Number(r.id),
    type: r.type as string,
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
    createdAt: toDate(r.created_at),
    user: r.user_id == null ? null : { id: Number(r.user_id), name: r.user_name as string, email: r.user_email as string },
  };
}

/** Newest first, at most `limit`, with Sentry's synthesized "first_seen" entry (id 0) last. */
export async function listActivities(db: Queryable, issue: { id: number; firstSeen: Date }, limit: number): Promise<ActivityRow[]> {
  const rows = await db.query(`${SELECT} WHERE a.issue_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $2`, [issue.id, limit]);
  const out = rows.map(fromRow);
  if (out.length < limit) out.push({ id: 0, type: 'first_seen', data: {}, createdAt: issue.firstSeen, user: null });
  return out;
}

/** The issue's comments ("note" activities), newest first. */
export async function listComments(db: Queryable, issueId: number, limit: number): Promise<ActivityRow[]> {
  const rows = await db.query(`${SELECT} WHERE a.issue_id = $1 AND a.type = 'note' ORDER BY a.created_at DESC, a.id DESC LIMIT $2`, [issueId, limit]);
  return rows.map(fromRow);
}

export async function addComment(db: Queryable, issueId: number, userId: number, text: string): Promise<ActivityRow> {
  const [row] = await db.query<{ id: number }>(`INSERT INTO activities (issue_id, type, user_id, data) VALUES ($1, 'note', $2, $3::jsonb) RETURNING id`, [
    issueId,
    userId,
    JSON.stringify({ text: pgText(text) }),
  ]);
  return (await getActivity(db, issueId, Number(row.id)))!;
}

export async function getActivity(db: Queryable, issueId: number, id: number): Promise<ActivityRow | null> {
  const [row] = await db.query(`${SELECT} WHERE a.issue_id = $1 AND a.id = $2`, [issueId, id]);
  return row ? fromRow(row) : null;
}

/** A comment of this issue written by this user: 404 when there is none, 403 when it is someone else's. */
async function ownComment(db: Queryable, issueId: number, noteId: string, userId: number): Promise<ActivityRow> {
  const note = /^\d{1,18}$/.test(noteId) ? await getActivity(db, issueId, Number(noteId)) : null;
  if (!note || note.type !== 'note') throw new ApiError(404, 'comment not found');
  if (note.user?.id !== userId) throw new ApiError(403, 'you can only change your own comments');
  return note;
}

export async function editComment(db: Queryable, issueId: number, noteId: string, userId: number, text: string): Promise<ActivityRow> {
  const note = await ownComment(db, issueId, noteId, userId);
  await db.query(`UPDATE activities SET data = $2::jsonb WHERE id = $1`, [note.id, JSON.stringify({ ...note.data, text: pgText(text), dateUpdated: new Date().toISOString() })]);
  return (await getActivity(db, issueId, note.id))!;
}

export async function deleteComment(db: Queryable, issueId: number, noteId: string, userId: number): Promise<void> {
  const note = await ownComment(db, issueId, noteId, userId);
  await db.query('DELETE FROM activities WHERE id = $1', [note.id]);
}

/** Comments per issue (Sentry's `numComments`). */
export async function commentCounts(db: Queryable, issueIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (issueIds.length === 0) return out;
  const rows = await db.query<{ issue_id: number; n: number }>(
    `SELECT issue_id, count(*)::int AS n FROM activities WHERE issue_id = ANY($1::int8[]) AND type = 'note' GROUP BY issue_id`,
    [issueIds],
  );
  for (const r of rows) out.set(Number(r.issue_id), Number(r.n));
  return out;
}

/** Sentry's activity shape: {id, type, user, data, dateCreated}. */
export function serializeActivity(a: ActivityRow) {
  return {
    id: String(a.id),
    type: a.type,
    user: a.user ? { id: String(a.user.id), name: a.user.name || a.user.email, username: a.user.email, email: a.user.email } : null,
    data: a.data,
    dateCreated: a.createdAt.toISOString(),
  };
}
