// Scheduled issue work that no event triggers: auto-resolve (a project's `resolve_age_hours` without
// events) and ignore durations that have run out. Each run is one statement per kind, safe with
// several processes running it: rows are locked in id order with SKIP LOCKED (an issue a digest batch
// or another run holds is skipped, this run never waits, so it never deadlocks), and the WHERE
// clause is re-checked on the locked rows, so an issue changes and gets its activity once.
import type { Queryable } from '../db/client.ts';

/** Resolves unresolved issues of projects with auto-resolve whose last event is older than the age. */
export async function autoResolveStale(db: Queryable, now: Date = new Date()): Promise<number[]> {
  const rows = await db.query<{ issue_id: number }>(
    `WITH stale AS (
       SELECT i.id, p.resolve_age_hours FROM issues i JOIN projects p ON p.id = i.project_id
       WHERE p.resolve_age_hours IS NOT NULL AND p.resolve_age_hours > 0 AND i.status = 'unresolved'
         AND i.last_seen < $1::timestamptz - make_interval(hours => p.resolve_age_hours)
       ORDER BY i.id FOR UPDATE OF i SKIP LOCKED
     ), resolved AS (
       UPDATE issues i SET status = 'resolved', substatus = NULL, status_details = '{"autoResolved": true}'::jsonb, resolved_at = $1::timestamptz
       FROM stale WHERE i.id = stale.id
       RETURNING i.id, stale.resolve_age_hours
     )
     INSERT INTO activities (issue_id, type, data)
     SELECT id, 'set_resolved_by_age', jsonb_build_object('age', resolve_age_hours) FROM resolved
     RETURNING issue_id`,
    [now.toISOString()],
  );
  return rows.map((r) => Number(r.issue_id));
}

/** Ignored issues whose ignore duration has run out go back to unresolved ("ongoing", as Sentry). */
export async function expireIgnores(db: Queryable, now: Date = new Date()): Promise<number[]> {
  const rows = await db.query<{ issue_id: number }>(
    `WITH due AS (
       SELECT i.id, i.status_details FROM issues i
       WHERE i.status = 'ignored' AND i.status_details ? 'ignoreUntil'
         AND (i.status_details->>'ignoreUntil')::timestamptz <= $1::timestamptz
       ORDER BY i.id FOR UPDATE SKIP LOCKED
     ), reopened AS (
       UPDATE issues i SET status = 'unresolved', substatus = 'ongoing', status_details = '{}'::jsonb, resolved_at = NULL
       FROM due WHERE i.id = due.id
       RETURNING i.id, due.status_details - 'state' AS conditions
     )
     INSERT INTO activities (issue_id, type, data)
     SELECT id, 'auto_set_ongoing', jsonb_build_object('expired_snooze', conditions) FROM reopened
     RETURNING issue_id`,
    [now.toISOString()],
  );
  return rows.map((r) => Number(r.issue_id));
}

export async function runIssueLifecycle(db: Queryable, now: Date = new Date()): Promise<{ resolved: number[]; unignored: number[] }> {
  return { resolved: await autoResolveStale(db, now), unignored: await expireIgnores(db, now) };
}
