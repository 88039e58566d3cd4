// Issue lists, organization-wide and per project (Sentry's issue API), with search, sort and stats.
// Bulk changes: issue-bulk.ts; one issue: issue-detail.ts, issue-stats.ts.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Membership } from '../auth/access.ts';
import type { Queryable } from '../db/client.ts';
import { ApiError } from '../errors.ts';
import { commentCounts } from '../queries/issue-activity.ts';
import { assigneesOf } from '../queries/issue-assign.ts';
import { hasIssuesBefore, issueStats, listIssues, type IssueListQuery, type IssueListRow, type StatsPeriod } from '../queries/issues.ts';
import { DEFAULT_ISSUE_SORT, IssueSortSchema, parseIssueSearch } from '../search/issues.ts';
import { SearchSyntaxError } from '../search/errors.ts';
import type { ResolvedTerm } from '../search/spec.ts';
import { route, type ApiEnv, type ProjectRow } from './access.ts';
import { intParam, visibleProjects, type ApiContext } from './context.ts';
import { ISSUE_ID, linkHeader, parseCursor, publicRequestUrl } from './pagination.ts';
import { errorResponses, IssueListQuery as IssueListQuerySchema, IssueSchema, json, OrgParams, ProjectParams } from './schemas.ts';
import { serializeIssue, type IssueExtras } from './serializers.ts';

const tags = ['Issues'];

/** Sentry: with no `query` parameter, `is:unresolved` is implied; an empty one lists every status. */
export function searchTerms(c: ApiContext): ResolvedTerm[] {
  const raw = c.req.query('query');
  const text = raw === undefined ? 'is:unresolved' : raw;
  let terms: ResolvedTerm[];
  try {
    terms = parseIssueSearch(text, new Date());
  } catch (err) {
    if (err instanceof SearchSyntaxError) throw new ApiError(400, `invalid search query: ${err.message}`);
    throw err;
  }
  // Sentry's global environment picker sends `environment=` parameters next to the query.
  const envs = c.req.queries('environment')?.filter((e) => e !== '') ?? [];
  if (envs.length > 0) terms.push({ kind: 'string', key: 'environment', values: envs, negated: false, wildcard: false });
  return terms;
}

export function requestedProjects(c: ApiContext): number[] | undefined {
  const raw = c.req.queries('project') ?? [];
  const ids = raw.map((v) => {
    if (!/^-?\d{1,10}$/.test(v)) throw new ApiError(400, `project must be a project id, got "${v.slice(0, 40)}"`);
    return Number(v);
  });
  return ids.includes(-1) ? undefined : ids;
}

function statsPeriod(c: ApiContext): StatsPeriod | null {
  const raw = c.req.query('statsPeriod') ?? c.req.query('groupStatsPeriod');
  if (raw === undefined) return '24h';
  if (raw === '' || raw === 'auto') return raw === '' ? null : '24h';
  if (raw === '24h' || raw === '14d') return raw;
  throw new ApiError(400, 'statsPeriod must be 24h, 14d or empty');
}

const listOrgIssues = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/issues',
  tags,
  summary: 'Issues of all projects (services) of an organization',
  request: { params: OrgParams, query: IssueListQuerySchema },
  responses: { 200: json(z.array(IssueSchema), 'One page of issues; a Link header carries the cursors'), ...errorResponses },
});
const listProjectIssues = route({ kind: 'project', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/projects/{org}/{project}/issues',
  tags,
  summary: 'Issues of one project',
  request: { params: ProjectParams, query: IssueListQuerySchema },
  responses: { 200: json(z.array(IssueSchema), 'One page of issues; a Link header carries the cursors'), ...errorResponses },
});

/** Who each issue is assigned to and how many comments it has, for serializeIssue. */
export async function issueExtras(db: Queryable, rows: IssueListRow[]): Promise<Map<number, IssueExtras>> {
  const [assignees, comments] = await Promise.all([assigneesOf(db, rows), commentCounts(db, rows.map((r) => r.id))]);
  return new Map(rows.map((r, i) => [r.id, { assignedTo: assignees[i], numComments: comments.get(r.id) ?? 0 }]));
}

export function issueRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  async function respondWithList(c: ApiContext, member: Membership, projects: ProjectRow[]) {
    const { db, config } = c.get('app');
    const sortRaw = c.req.query('sort') ?? DEFAULT_ISSUE_SORT;
    const sort = IssueSortSchema.safeParse(sortRaw);
    if (!sort.success) throw new ApiError(400, `sort must be one of date, new, freq, user, priority`);
    const q: IssueListQuery = {
      projectIds: projects.map((p) => p.id),
      terms: searchTerms(c),
      sort: sort.data,
      limit: intParam(c, 'limit', 25, 1, 100),
      cursor: parseCursor(c.req.query('cursor'), ISSUE_ID),
      actorUserId: c.get('actor')!.userId,
    };
    const page = await listIssues(db, q);
    const first = page.rows[0];
    const last = page.rows.at(-1);
    const hasPrev = q.cursor?.prev ? page.hasMore : first ? await hasIssuesBefore(db, { ...q, cursor: null }, first) : false;
    const hasNext = q.cursor?.prev ? true : page.hasMore;
    c.header(
      'Link',
      linkHeader(
        publicRequestUrl(c),
        first ? { value: first.cursorValue, id: String(first.id), prev: true } : null,
        last ? { value: last.cursorValue, id: String(last.id), prev: false } : null,
        hasPrev,
        hasNext && page.rows.length > 0,
      ),
    );
    const period = statsPeriod(c);
    const stats = period ? await issueStats(db, page.rows.map((i) => i.id), period) : null;
    const extras = await issueExtras(db, page.rows);
    const byId = new Map(projects.map((p) => [p.id, p]));
    return c.json(
      page.rows.map((i) => ({
        ...serializeIssue(i, byId.get(i.projectId)!, config.publicUrl, member.organizationSlug, extras.get(i.id)),
        ...(stats && period ? { stats: { [period]: stats.get(i.id)! } } : {}),
      })),
      200,
    );
  }

  r.openapi(listOrgIssues, async (c) => {
    const member = c.get('member');
    return respondWithList(c, member, await visibleProjects(c.get('app').db.orm, member, requestedProjects(c)));
  });

  r.openapi(listProjectIssues, async (c) => respondWithList(c, c.get('member'), [c.get('project')]));

  return r;
}
