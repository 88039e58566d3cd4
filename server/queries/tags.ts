// Tag keys and values across an organization's projects, for search suggestions and pickers.
import type { Queryable } from '../db/client.ts';
import { escapeLike } from '../search/spec.ts';

/** Keys seen on the most recently active issues (bounded work however many issues there are). */
export async function recentTagKeys(db: Queryable, projectIds: number[], limit = 100): Promise<string[]> {
  if (projectIds.length === 0) return [];
  const rows = await db.query<{ key: string }>(
    `SELECT DISTINCT t.key FROM issue_tags t
     WHERE t.issue_id IN (SELECT i.id FROM issues i WHERE i.project_id = ANY($1::int[]) ORDER BY i.last_seen DESC NULLS LAST LIMIT 500)
     ORDER BY t.key LIMIT $2`,
    [projectIds, limit],
  );
  return rows.map((r) => r.key);
}

/** The most frequent values of a key, optionally those starting with a prefix. */
export async function topTagValues(db: Queryable, projectIds: number[], key: string, prefix: string, limit = 20): Promise<Array<{ value: string; count: number }>> {
  if (projectIds.length === 0) return [];
  const rows = await db.query<{ value: string; n: number }>(
    `SELECT t.value, sum(t.times_seen)::int8 AS n FROM issue_tags t JOIN issues i ON i.id = t.issue_id
     WHERE t.key = $2 AND i.project_id = ANY($1::int[]) AND t.value ILIKE $3
     GROUP BY t.value ORDER BY n DESC, t.value LIMIT $4`,
    [projectIds, key, `${escapeLike(prefix)}%`, limit],
  );
  return rows.map((r) => ({ value: r.value, count: Number(r.n) }));
}
