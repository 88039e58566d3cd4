// Counters per key and fixed time window in the `login_attempts` table, so that limits hold across
// processes (several web or ingest processes on one Postgres). Keys are namespaced: `login:email:...`,
// `login:ip:...` (sign-in failures, auth/login-limit.ts) and `dsnkey:<id>` (DSN key quotas,
// ingest/rate-limit.ts). The table name predates the second use; its shape is exactly a generic counter.
import type { Queryable } from '../db/client.ts';

/** Start of the fixed window of `seconds` that contains `nowMs` (windows aligned to the epoch). */
export function windowStart(nowMs: number, seconds: number): number {
  const ms = seconds * 1000;
  return Math.floor(nowMs / ms) * ms;
}

/** Seconds until the window that contains `nowMs` ends (at least 1). */
export function secondsLeft(nowMs: number, seconds: number): number {
  return Math.max(1, Math.ceil((windowStart(nowMs, seconds) + seconds * 1000 - nowMs) / 1000));
}

/** Adds `by` (may be negative) to a counter and returns its new value; atomic under concurrency. */
export async function bumpCounter(db: Queryable, key: string, windowStartMs: number, by: number): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    `INSERT INTO login_attempts (key, window_start, count) VALUES ($1, $2::timestamptz, $3)
     ON CONFLICT (key, window_start) DO UPDATE SET count = login_attempts.count + EXCLUDED.count
     RETURNING count`,
    [key, new Date(windowStartMs).toISOString(), by],
  );
  return row.count;
}

export async function resetCounter(db: Queryable, key: string): Promise<void> {
  await db.query('DELETE FROM login_attempts WHERE key = $1', [key]);
}

/** Deletes the counters of windows that started more than `olderThanMs` ago. */
export async function pruneCounters(db: Queryable, olderThanMs: number): Promise<void> {
  await db.query('DELETE FROM login_attempts WHERE window_start < $1::timestamptz', [new Date(Date.now() - olderThanMs).toISOString()]);
}
