// Digest step: which of a batch's issues its events reopen, under the rules of regression.ts: a resolved
// issue regresses; an ignored one whose condition trips becomes escalating or ongoing. The batch's
// counters (digest-counters.ts) lock the issues here first and write the decisions with their counts.
import type { Tx } from '../db/client.ts';
import { PREPARED, toDate } from '../db/client.ts';
import { hasIgnoreCondition, ignoreConditions, ignoreDetailsOf, ignoreTripped, isRegression, releasesToLookUp, windowedConditions, type IgnoreDetails, type IgnoreTrip } from './regression.ts';

/** What reopens an issue: its new substatus, and the activity that says why. */
export interface Reopen {
  substatus: 'regressed' | IgnoreTrip;
  activity: string;
  data: Record<string, unknown>;
}

/** What the rules read of one issue in the batch, and where they put their decision. */
export interface BatchIssue {
  id: number;
  /** Events the batch stored for it. */
  count: number;
  /** Users new to it in the batch (counted before checkIgnored). */
  newUsers: number;
  /** (timestamp, release, event id) of each event: enough to decide a regression. */
  events: Array<{ timestamp: Date; release: string | null; eventId: string }>;
  reopen: Reopen | null;
}

/** An issue's state as the batch locked it. */
export interface LockedIssue {
  id: number;
  projectId: number;
  status: string;
  statusDetails: Record<string, unknown> | null;
  resolvedAt: Date | null;
  timesSeen: number;
  userCount: number;
}

/** Locks the issues in id order (two workers then wait instead of deadlocking); returns those that exist. */
export async function lockIssues(tx: Tx, ids: number[]): Promise<Map<number, LockedIssue>> {
  const rows = await tx.query<{ id: number; project_id: number; status: string; status_details: Record<string, unknown> | null; resolved_at: unknown; times_seen: number; user_count: number }>(
    'SELECT id, project_id, status, status_details, resolved_at, times_seen, user_count FROM issues WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE',
    [ids],
    PREPARED,
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        projectId: Number(r.project_id),
        status: r.status,
        statusDetails: r.status_details,
        resolvedAt: r.resolved_at ? toDate(r.resolved_at) : null,
        timesSeen: Number(r.times_seen),
        userCount: Number(r.user_count),
      },
    ]),
  );
}

/** Sentry's activities for a snooze that ended: `set_escalating` (counts), `auto_set_ongoing` (duration). */
function tripReopen(trip: IgnoreTrip, details: IgnoreDetails, d: BatchIssue): Reopen {
  const data = { expired_snooze: ignoreConditions(details), eventId: d.events.at(-1)?.eventId ?? null };
  return trip === 'ongoing' ? { substatus: 'ongoing', activity: 'auto_set_ongoing', data } : { substatus: 'escalating', activity: 'set_escalating', data };
}

/** Resolved issues that this batch's events reopen (regression.ts). */
export async function findRegressions(tx: Tx, issues: Map<number, BatchIssue>, rows: LockedIssue[]): Promise<void> {
  const resolved = rows.filter((r) => r.status === 'resolved');
  if (resolved.length === 0) return;
  const stateOf = (r: LockedIssue) => ({ status: r.status, statusDetails: r.statusDetails, resolvedAt: r.resolvedAt });
  // Releases that cannot be ordered by version are ordered by when the project first saw them.
  const wanted = new Map<string, [number, string]>();
  for (const r of resolved) {
    for (const ev of issues.get(r.id)!.events) for (const rel of releasesToLookUp(stateOf(r), ev)) wanted.set(`${r.projectId}\u0001${rel}`, [r.projectId, rel]);
  }
  const firstSeen = new Map<string, Date>();
  if (wanted.size > 0) {
    const pairs = [...wanted.values()];
    const found = await tx.query<{ project_id: number; release: string; first_seen: unknown }>(
      `SELECT w.project_id, w.release, min(t.first_seen) AS first_seen
       FROM unnest($1::int[], $2::text[]) AS w(project_id, release)
       JOIN issue_tags t ON t.key = 'release' AND t.value = w.release
       JOIN issues i ON i.id = t.issue_id AND i.project_id = w.project_id
       GROUP BY w.project_id, w.release`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    for (const f of found) firstSeen.set(`${f.project_id}\u0001${f.release}`, toDate(f.first_seen));
  }
  for (const r of resolved) {
    const d = issues.get(r.id)!;
    const seen = (release: string) => firstSeen.get(`${r.projectId}\u0001${release}`) ?? null;
    const e = d.events.find((ev) => isRegression(stateOf(r), ev, seen));
    if (e) d.reopen = { substatus: 'regressed', activity: 'set_regression', data: { eventId: e.eventId, version: e.release } };
  }
}

/**
 * Ignored issues whose condition this batch trips: the duration has passed, or the events or users
 * since ignoring (in total, or within the window) reached the count. Runs after the new users are
 * counted and the events inserted, so the counts include this batch.
 */
export async function checkIgnored(tx: Tx, issues: Map<number, BatchIssue>, rows: LockedIssue[], now: Date): Promise<void> {
  const windowed: Array<{ id: number; since: string; atLeast: number; users: boolean; details: IgnoreDetails }> = [];
  for (const r of rows) {
    if (r.status !== 'ignored') continue;
    const details = ignoreDetailsOf(r.statusDetails);
    if (!hasIgnoreCondition(details)) continue;
    const d = issues.get(r.id)!;
    const trip = ignoreTripped(details, now, { timesSeen: r.timesSeen + d.count, userCount: r.userCount + d.newUsers });
    if (trip) {
      d.reopen = tripReopen(trip, details, d);
      continue;
    }
    const w = windowedConditions(details, now);
    if (w.events) windowed.push({ id: r.id, since: w.events.since.toISOString(), atLeast: w.events.atLeast, users: false, details });
    if (w.users) windowed.push({ id: r.id, since: w.users.since.toISOString(), atLeast: w.users.atLeast, users: true, details });
  }
  if (windowed.length === 0) return;
  // Bounded reads: the events of the window through (issue_id, timestamp), at most `atLeast` of them.
  const counts = await tx.query<{ n: number }>(
    `SELECT CASE WHEN w.users
              THEN (SELECT count(DISTINCT e.user_key) FROM events e WHERE e.issue_id = w.id AND e.timestamp >= w.since AND e.user_key IS NOT NULL)
              ELSE (SELECT count(*) FROM (SELECT 1 FROM events e WHERE e.issue_id = w.id AND e.timestamp >= w.since LIMIT w.lim) x)
            END AS n
     FROM unnest($1::int8[], $2::text[]::timestamptz[], $3::int[], $4::text[]::bool[]) WITH ORDINALITY AS w(id, since, lim, users, ord)
     ORDER BY w.ord`,
    [windowed.map((w) => w.id), windowed.map((w) => w.since), windowed.map((w) => w.atLeast), windowed.map((w) => String(w.users))],
  );
  windowed.forEach((w, i) => {
    const d = issues.get(w.id)!;
    if (!d.reopen && Number(counts[i].n) >= w.atLeast) d.reopen = tripReopen('escalating', w.details, d);
  });
}
