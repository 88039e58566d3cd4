// Changing an issue's status by hand (resolve, ignore, reopen), with an activity entry per issue that
// changed. The shapes of issues.status_details:
//   resolved                   {}                                 (auto-resolve: {autoResolved: true})
//   resolved in release R      {inRelease: "R"}
//   resolved in next release   {inNextRelease: true, currentRelease: "<latest release then>" | null}
//   ignored forever            {}                                 substatus archived_forever
//   ignored until ...          {ignoreUntil?, ignoreDuration?, ignoreCount?, ignoreWindow?, ignoreUserCount?,
//                               ignoreUserWindow?, state: {timesSeen, userCount, since}}
//                                                                 substatus archived_until_condition_met
//   unresolved                 {}                                 substatus ongoing
// The digest and the scheduled jobs turn them back into unresolved (pipeline/regression.ts).
import type { Database, Queryable } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import { deleteIssueOwnedRows } from '../db/issue-owned.ts';
import { ignoreConditions, latestRelease, type IgnoreDetails } from '../pipeline/regression.ts';

/** Ignore conditions as requested (minutes; Sentry's names). */
export interface IgnoreRequest {
  ignoreDuration?: number;
  ignoreCount?: number;
  ignoreWindow?: number;
  ignoreUserCount?: number;
  ignoreUserWindow?: number;
}

export type StatusChange =
  | { status: 'resolved'; inRelease?: string | null; inNextRelease?: boolean }
  | { status: 'unresolved' }
  | { status: 'ignored'; ignore?: IgnoreRequest };

export interface StatusResult {
  /** Issues whose status or details changed. */
  changed: number[];
  /** The details as applied, without per-issue snapshots (the first issue's, for bulk answers). */
  statusDetails: Record<string, unknown>;
}

/** The project's releases with when each was first seen (from the issues' `release` tag values). */
export async function projectReleases(db: Queryable, projectId: number): Promise<Array<{ release: string; firstSeen: Date }>> {
  const rows = await db.query<{ value: string; first_seen: unknown }>(
    `SELECT t.value, min(t.first_seen) AS first_seen FROM issue_tags t JOIN issues i ON i.id = t.issue_id
     WHERE i.project_id = $1 AND t.key = 'release' GROUP BY t.value`,
    [projectId],
  );
  return rows.map((r) => ({ release: r.value, firstSeen: toDate(r.first_seen) }));
}

/** Locks issues in id order, as the digest does (lockIssues in pipeline/digest-reopen.ts), so that the two never deadlock. */
export async function lockIssueRows<T = Record<string, unknown>>(tx: Queryable, ids: number[], columns = 'id'): Promise<T[]> {
  if (ids.length === 0) return [];
  return tx.query<T>(`SELECT ${columns} FROM issues WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE`, [ids]);
}

function ignoreDetails(req: IgnoreRequest | undefined, now: Date, counts: { timesSeen: number; userCount: number }): IgnoreDetails {
  const d: IgnoreDetails = {};
  if (!req) return d;
  if (req.ignoreDuration) {
    d.ignoreDuration = req.ignoreDuration;
    d.ignoreUntil = new Date(now.getTime() + req.ignoreDuration * 60_000).toISOString();
  }
  if (req.ignoreCount) {
    d.ignoreCount = req.ignoreCount;
    if (req.ignoreWindow) d.ignoreWindow = req.ignoreWindow;
  }
  if (req.ignoreUserCount) {
    d.ignoreUserCount = req.ignoreUserCount;
    if (req.ignoreUserWindow) d.ignoreUserWindow = req.ignoreUserWindow;
  }
  if (Object.keys(d).length > 0) d.state = { timesSeen: counts.timesSeen, userCount: counts.userCount, since: now.toISOString() };
  return d;
}

/** Sentry's activity type and data for a status change. */
function activityOf(change: StatusChange, details: Record<string, unknown>): { type: string; data: Record<string, unknown> } {
  if (change.status === 'unresolved') return { type: 'set_unresolved', data: {} };
  if (change.status === 'ignored') return { type: 'set_ignored', data: ignoreConditions(details as IgnoreDetails) };
  if (details.inRelease) return { type: 'set_resolved_in_release', data: { version: details.inRelease } };
  if (details.inNextRelease) return { type: 'set_resolved_in_release', data: { version: '', inNextRelease: true, currentRelease: details.currentRelease ?? null } };
  return { type: 'set_resolved', data: {} };
}

const withoutState = (d: Record<string, unknown> | null) => {
  const { state: _state, ...rest } = d ?? {};
  return JSON.stringify(rest, Object.keys(rest).sort());
};

/** Applies the change to the given issues, in one transaction. */
export async function setIssueStatus(db: Database, issueIds: number[], change: StatusChange, userId: number | null, now = new Date()): Promise<StatusResult> {
  if (issueIds.length === 0) return { changed: [], statusDetails: {} };
  // "Next release" is the project's latest release now; read before locking (it reads many rows).
  const latest = new Map<number, string | null>();
  if (change.status === 'resolved' && ((change.inNextRelease && !change.inRelease) || change.inRelease === 'latest')) {
    const projects = await db.query<{ project_id: number }>('SELECT DISTINCT project_id FROM issues WHERE id = ANY($1::int8[])', [issueIds]);
    for (const p of projects) latest.set(Number(p.project_id), latestRelease(await projectReleases(db, Number(p.project_id))));
  }
  return db.begin(async (tx) => {
    const rows = await lockIssueRows<{ id: number; project_id: number; status: string; status_details: Record<string, unknown> | null; times_seen: number; user_count: number }>(
      tx,
      issueIds,
      'id, project_id, status, status_details, times_seen, user_count',
    );
    let statusDetails: Record<string, unknown> = {};
    const updates = rows.map((r, i) => {
      let details: Record<string, unknown> = {};
      if (change.status === 'resolved' && change.inRelease === 'latest') {
        // Sentry's "resolved in the latest release": that release by name (plain resolved without one).
        const release = latest.get(Number(r.project_id));
        details = release ? { inRelease: release } : {};
      } else if (change.status === 'resolved' && change.inRelease) details = { inRelease: change.inRelease };
      else if (change.status === 'resolved' && change.inNextRelease) details = { inNextRelease: true, currentRelease: latest.get(Number(r.project_id)) ?? null };
      else if (change.status === 'ignored') details = ignoreDetails(change.ignore, now, { timesSeen: Number(r.times_seen), userCount: Number(r.user_count) }) as Record<string, unknown>;
      if (i === 0) {
        const { state: _s, ...shown } = details;
        statusDetails = shown;
      }
      const substatus = change.status === 'unresolved' ? 'ongoing' : change.status === 'ignored' ? (Object.keys(details).length > 0 ? 'archived_until_condition_met' : 'archived_forever') : null;
      const changed = r.status !== change.status || withoutState(r.status_details) !== withoutState(details);
      return { id: Number(r.id), details, substatus, changed };
    });
    if (updates.length === 0) return { changed: [], statusDetails };
    await tx.query(
      `UPDATE issues i SET status = $2, substatus = u.substatus, status_details = u.details::jsonb,
         resolved_at = CASE WHEN $2 = 'resolved' THEN $3::timestamptz ELSE NULL END
       FROM unnest($1::int8[], $4::text[], $5::text[]) AS u(id, details, substatus)
       WHERE i.id = u.id`,
      [updates.map((u) => u.id), change.status, now.toISOString(), updates.map((u) => JSON.stringify(u.details)), updates.map((u) => u.substatus)],
    );
    const changed = updates.filter((u) => u.changed);
    await addActivities(
      tx,
      changed.map((u) => ({ issueId: u.id, userId, ...activityOf(change, u.details) })),
    );
    return { changed: changed.map((u) => u.id), statusDetails };
  });
}

/** Inserts activity rows (Sentry's Activity: a type, who, and type-specific data). */
export async function addActivities(tx: Queryable, rows: Array<{ issueId: number; type: string; userId: number | null; data: Record<string, unknown> }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO activities (issue_id, type, user_id, data)
     SELECT issue_id, type, user_id, data::jsonb FROM unnest($1::int8[], $2::text[], $3::int[], $4::text[]) AS a(issue_id, type, user_id, data)`,
    [rows.map((r) => r.issueId), rows.map((r) => r.type), rows.map((r) => r.userId), rows.map((r) => JSON.stringify(r.data))],
  );
}

/** Deletes issues with everything they own, in one transaction. */
export async function deleteIssues(db: Database, issueIds: number[]): Promise<number> {
  if (issueIds.length === 0) return 0;
  return db.begin(async (tx) => {
    await lockIssueRows(tx, issueIds);
    const rows = await tx.query('DELETE FROM issues WHERE id = ANY($1::int8[]) RETURNING id', [issueIds]);
    await deleteIssueOwnedRows(tx, issueIds);
    return rows.length;
  });
}
