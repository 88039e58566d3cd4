// Events of one issue per bucket over any range, from the hourly issue_stats rows.

import type { Queryable } from '../db/client.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Buckets of `intervalMs` (an hour or a day, aligned to UTC) from the one holding `start` up to the one
 * holding `end` (exclusive), oldest first, zeros included: [unix seconds, events].
 */
export async function issueStatsRange(db: Queryable, issueId: number, start: Date, end: Date, intervalMs: number): Promise<Array<[number, number]>> {
  const first = Math.floor(start.getTime() / intervalMs) * intervalMs;
  const n = Math.max(1, Math.ceil((end.getTime() - first) / intervalMs));
  const series = Array.from({ length: n }, (_, i) => [(first + i * intervalMs) / 1000, 0] as [number, number]);
  const rows = await db.query<{ b: number; n: number }>(
    `SELECT floor(date_part('epoch', bucket) * 1000 / $4)::int8 AS b, sum(count)::int8 AS n FROM issue_stats
     WHERE issue_id = $1 AND bucket >= $2::timestamptz AND bucket < $3::timestamptz GROUP BY 1`,
    [issueId, new Date(first).toISOString(), new Date(first + n * intervalMs).toISOString(), intervalMs],
  );
  for (const r of rows) {
    const idx = Number(r.b) - first / intervalMs;
    if (idx >= 0 && idx < n) series[idx][1] += Number(r.n);
  }
  return series;
}
