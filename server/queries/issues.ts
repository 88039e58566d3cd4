// Issue lists (organization-wide or per project), single issues, their stats and tags.
import type { Queryable } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import type { ResolvedTerm } from '../search/spec.ts';
import type { IssueSort } from '../search/issues.ts';
import { compileIssueFilter, Params } from './issue-filter.ts';

export interface IssueListRow {
  id: number;
  projectId: number;
  shortId: number;
  primaryHash: string;
  groupingVersion: string;
  type: string;
  title: string;
  culprit: string;
  message: string;
  level: string;
  platform: string | null;
  metadata: unknown;
  status: 'unresolved' | 'resolved' | 'ignored';
  substatus: string | null;
  statusDetails: unknown;
  resolvedAt: Date | null;
  firstSeen: Date;
  lastSeen: Date;
  timesSeen: number;
  userCount: number;
  firstRelease: string | null;
  createdAt: Date;
  assigneeUserId: number | null;
  assigneeTeamId: number | null;
  /** Position under the list's sort, for cursors (0 outside lists). */
  cursorValue: number;
}

/**
 * Sort key → the ordered SQL expression (plain columns where an index can serve it), how a cursor's
 * number becomes a parameter of that expression's type, and the number a row gives its cursor.
 */
interface SortSpec {
  expr: string;
  cast: string;
  /** A plain column that `issues_project_<column>` (project_id, column DESC NULLS LAST, id DESC NULLS LAST) orders. */
  indexed: boolean;
  param: (v: number) => unknown;
  /** The selected `sort_value` as the cursor's number. */
  value: (raw: unknown) => number;
}
const byTime = (col: 'last_seen' | 'first_seen'): SortSpec => ({
  expr: `i.${col}`,
  cast: 'timestamptz',
  indexed: true,
  param: (v) => new Date(v).toISOString(),
  value: (raw) => toDate(raw).getTime(),
});
const byNumber = (expr: string, cast: string, indexed: boolean): SortSpec => ({ expr, cast, indexed, param: (v) => v, value: (raw) => Number(raw) });
const SORTS: Record<IssueSort, SortSpec> = {
  date: byTime('last_seen'),
  new: byTime('first_seen'),
  freq: byNumber('i.times_seen', 'int8', true),
  user: byNumber('i.user_count', 'int4', false),
  // Recent volume weighted: like Sentry's old "priority" score, log-scaled volume plus recency (seconds).
  // date_part gives the epoch as float8 directly; extract() computes a numeric that the sum then casts
  // to float8 (the same, correctly rounded, value) at a third more cost per issue.
  priority: byNumber(`floor(ln(greatest(i.times_seen, 1)) * 600 + date_part('epoch', i.last_seen))::int8`, 'int8', false),
};

/**
 * ORDER BY for a sort key and id. The list indexes are `DESC NULLS LAST` (drizzle's `.desc()`), and
 * Postgres only walks an index for an ORDER BY with the same NULLS placement: a bare `DESC` means
 * NULLS FIRST and made every list read and sort all matching issues. The columns are NOT NULL, so the
 * NULLS clause changes no result; it lets the walk stop after a page.
 */
function orderBy(sortExpr: string, idExpr: string, direction: 'DESC' | 'ASC'): string {
  const nulls = direction === 'DESC' ? 'NULLS LAST' : 'NULLS FIRST';
  return `${sortExpr} ${direction} ${nulls}, ${idExpr} ${direction} ${nulls}`;
}

const COLUMNS = `i.id, i.project_id, i.short_id, i.primary_hash, i.grouping_version, i.type, i.title, i.culprit, i.message,
  i.level, i.platform, i.metadata, i.status, i.substatus, i.status_details, i.resolved_at, i.first_seen, i.last_seen,
  i.times_seen, i.user_count, i.first_release, i.created_at, i.assignee_user_id, i.assignee_team_id`;

export function issueFromRow(r: Record<string, unknown>, sort?: SortSpec): IssueListRow {
  return {
    id: r.id as number,
    projectId: r.project_id as number,
    shortId: r.short_id as number,
    primaryHash: r.primary_hash as string,
    groupingVersion: r.grouping_version as string,
    type: r.type as string,
    title: r.title as string,
    culprit: r.culprit as string,
    message: r.message as string,
    level: r.level as string,
    platform: (r.platform as string) ?? null,
    metadata: r.metadata,
    status: r.status as IssueListRow['status'],
    substatus: (r.substatus as string) ?? null,
    statusDetails: r.status_details ?? {},
    resolvedAt: r.resolved_at ? toDate(r.resolved_at) : null,
    firstSeen: toDate(r.first_seen),
    lastSeen: toDate(r.last_seen),
    timesSeen: Number(r.times_seen),
    userCount: Number(r.user_count),
    firstRelease: (r.first_release as string) ?? null,
    createdAt: toDate(r.created_at),
    assigneeUserId: r.assignee_user_id == null ? null : Number(r.assignee_user_id),
    assigneeTeamId: r.assignee_team_id == null ? null : Number(r.assignee_team_id),
    cursorValue: sort ? sort.value(r.sort_value) : 0,
  };
}

/**
 * One project as `=`: the planner orders by an index only under equality, and treats even a
 * one-element `= ANY(...)` as a list (it read and sorted the whole project instead).
 */
function projectCondition(projectIds: number[], p: Params): string {
  return projectIds.length === 1 ? `i.project_id = ${p.add(projectIds[0])}::int` : `i.project_id = ANY(${p.add(projectIds)}::int[])`;
}

export interface IssueListQuery {
  projectIds: number[];
  terms: ResolvedTerm[];
  sort: IssueSort;
  limit: number;
  cursor: { value: number; id: string; prev: boolean } | null;
  /** The searching user, for `assigned:me` and `assigned:my_teams`. */
  actorUserId?: number | null;
}

export interface IssuePage {
  rows: IssueListRow[];
  hasMore: boolean;
}

/**
 * One page of issues, ordered by the sort key then id, both descending.
 *
 * Several projects with an indexed sort: each project's page is read by walking its own index
 * (a LATERAL subquery per project, stopping after a page), and the pages are merged. One index scan
 * over `project_id = ANY(...)` cannot return rows in sort order across projects, so the plain query
 * read and sorted every matching issue of all projects (the issue-stream benchmark, bench/read.ts).
 * Same rows, same order: the first `limit` of the union of each project's first `limit`.
 */
export async function listIssues(db: Queryable, q: IssueListQuery): Promise<IssuePage> {
  if (q.projectIds.length === 0) return { rows: [], hasMore: false };
  const p = new Params();
  const sort = SORTS[q.sort];
  const perProject = q.projectIds.length > 1 && sort.indexed;
  const projects = perProject ? p.add(q.projectIds) : '';
  const where = [perProject ? 'i.project_id = lp.project_id' : projectCondition(q.projectIds, p), ...compileIssueFilter(q.terms, p, { userId: q.actorUserId })];
  let direction: 'DESC' | 'ASC' = 'DESC';
  if (q.cursor) {
    const cmp = q.cursor.prev ? '>' : '<';
    where.push(`(${sort.expr}, i.id) ${cmp} (${p.add(sort.param(q.cursor.value))}::${sort.cast}, ${p.add(q.cursor.id)}::int8)`);
    if (q.cursor.prev) direction = 'ASC';
  }
  const limit = p.add(q.limit + 1);
  const page = `SELECT ${COLUMNS}, ${sort.expr} AS sort_value FROM issues i
    WHERE ${where.join(' AND ')}
    ORDER BY ${orderBy(sort.expr, 'i.id', direction)}
    LIMIT ${limit}`;
  const sql = perProject
    ? `SELECT i.* FROM (SELECT DISTINCT unnest(${projects}::int[]) AS project_id) lp
       CROSS JOIN LATERAL (${page}) i
       ORDER BY ${orderBy('i.sort_value', 'i.id', direction)}
       LIMIT ${limit}`
    : page;
  const rows = (await db.query(sql, p.values)).map((r) => issueFromRow(r, sort));
  const hasMore = rows.length > q.limit;
  if (hasMore) rows.pop();
  if (q.cursor?.prev) rows.reverse();
  return { rows, hasMore };
}

/** Whether any issue precedes (sorts before) the given row: decides the "previous" link. */
export async function hasIssuesBefore(db: Queryable, q: IssueListQuery, first: IssueListRow): Promise<boolean> {
  const p = new Params();
  const sort = SORTS[q.sort];
  const where = [projectCondition(q.projectIds, p), ...compileIssueFilter(q.terms, p, { userId: q.actorUserId })];
  where.push(`(${sort.expr}, i.id) > (${p.add(sort.param(first.cursorValue))}::${sort.cast}, ${p.add(first.id)}::int8)`);
  const rows = await db.query(`SELECT 1 FROM issues i WHERE ${where.join(' AND ')} LIMIT 1`, p.values);
  return rows.length > 0;
}

export async function getIssue(db: Queryable, id: number): Promise<IssueListRow | null> {
  const [row] = await db.query(`SELECT ${COLUMNS} FROM issues i WHERE i.id = $1`, [id]);
  return row ? issueFromRow(row) : null;
}

export type StatsPeriod = '24h' | '14d' | '30d';

/** Events per bucket for each issue: 24 hourly buckets, or 14 or 30 daily ones, oldest first, zeros included. */
export async function issueStats(db: Queryable, issueIds: number[], period: StatsPeriod, now = new Date()): Promise<Map<number, Array<[number, number]>>> {
  const bucketMs = period === '24h' ? 3_600_000 : 86_400_000;
  const n = period === '24h' ? 24 : period === '14d' ? 14 : 30;
  const end = Math.floor(now.getTime() / bucketMs) * bucketMs;
  const start = end - (n - 1) * bucketMs;
  const out = new Map<number, Array<[number, number]>>();
  for (const id of issueIds) out.set(id, Array.from({ length: n }, (_, i) => [(start + i * bucketMs) / 1000, 0] as [number, number]));
  if (issueIds.length === 0) return out;
  const rows = await db.query<{ issue_id: number; bucket: unknown; count: number }>(
    `SELECT issue_id, bucket, count FROM issue_stats WHERE issue_id = ANY($1::int8[]) AND bucket >= $2::timestamptz`,
    [issueIds, new Date(start).toISOString()],
  );
  for (const r of rows) {
    const idx = Math.floor((toDate(r.bucket).getTime() - start) / bucketMs);
    const series = out.get(Number(r.issue_id));
    if (series && idx >= 0 && idx < n) series[idx][1] += Number(r.count);
  }
  return out;
}

export interface TagSummary {
  key: string;
  totalValues: number;
  uniqueValues: number;
  topValues: Array<{ value: string; count: number; firstSeen: Date; lastSeen: Date }>;
}

/** Tag keys of an issue with their most frequent values (Sentry's `GET /issues/{id}/tags/`). */
export async function issueTags(db: Queryable, issueId: number, topN: number, onlyKey?: string): Promise<TagSummary[]> {
  const rows = await db.query<{ key: string; value: string; times_seen: number; first_seen: unknown; last_seen: unknown; total: number; uniq: number }>(
    `SELECT key, value, times_seen, first_seen, last_seen, total, uniq FROM (
       SELECT key, value, times_seen, first_seen, last_seen,
              sum(times_seen) OVER (PARTITION BY key) AS total,
              count(*) OVER (PARTITION BY key) AS uniq,
              row_number() OVER (PARTITION BY key ORDER BY times_seen DESC, value) AS rn
       FROM issue_tags WHERE issue_id = $1 ${onlyKey !== undefined ? 'AND key = $3' : ''}
     ) t WHERE rn <= $2 ORDER BY key, times_seen DESC, value`,
    onlyKey !== undefined ? [issueId, topN, onlyKey] : [issueId, topN],
  );
  const byKey = new Map<string, TagSummary>();
  for (const r of rows) {
    let s = byKey.get(r.key);
    if (!s) byKey.set(r.key, (s = { key: r.key, totalValues: Number(r.total), uniqueValues: Number(r.uniq), topValues: [] }));
    s.topValues.push({ value: r.value, count: Number(r.times_seen), firstSeen: toDate(r.first_seen), lastSeen: toDate(r.last_seen) });
  }
  return [...byKey.values()];
}
