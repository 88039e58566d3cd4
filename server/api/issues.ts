// Issues, organization-wide and per project (Sentry's issue API).
//   GET    /organizations/{org}/issues/?project=ID&query=...&sort=date|new|freq|user|priority&cursor=&limit=&statsPeriod=24h|14d|
//   PUT    /organizations/{org}/issues/?id=1&id=2   (or ?query=...)  bulk status change
//   DELETE /organizations/{org}/issues/?id=1&id=2
//   GET    /projects/{org}/{project}/issues/?query=...
//   GET|PUT|DELETE /issues/{id}/  (and /organizations/{org}/issues/{id}/)
//   GET    /issues/{id}/tags/, /issues/{id}/tags/{key}/
//   GET    /issues/{id}/hashes/
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../app.ts';
import type { Membership } from '../auth/access.ts';
import { ApiError } from '../errors.ts';
import { deleteIssues, setIssueStatus, type StatusChange } from '../queries/issue-status.ts';
import { getIssue, hasIssuesBefore, issueStats, issueTags, listIssues, type IssueListQuery, type StatsPeriod } from '../queries/issues.ts';
import { DEFAULT_ISSUE_SORT, IssueSortSchema, parseIssueSearch } from '../search/issues.ts';
import { SearchSyntaxError } from '../search/parse.ts';
import type { ResolvedTerm } from '../search/spec.ts';
import { intParam, issueFor, orgFor, projectFor, visibleProjects, type ApiContext, type ApiEnv, type ProjectRow } from './context.ts';
import { ISSUE_ID, linkHeader, parseCursor } from './pagination.ts';
import { serializeIssue } from './serializers.ts';
import { jsonBody } from './validate.ts';

const updateSchema = z.object({
  status: z.enum(['resolved', 'unresolved', 'ignored', 'resolvedInNextRelease']).optional(),
  statusDetails: z
    .object({
      inRelease: z.string().min(1).max(200).optional(),
      inNextRelease: z.boolean().optional(),
    })
    .loose()
    .optional(),
});

/** Sentry: with no `query` parameter, `is:unresolved` is implied; an empty one lists every status. */
function searchTerms(c: ApiContext): ResolvedTerm[] {
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

function requestedProjects(c: ApiContext): number[] | undefined {
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

function issueIdsParam(c: ApiContext): number[] {
  return (c.req.queries('id') ?? []).map((v) => {
    if (!/^\d{1,18}$/.test(v)) throw new ApiError(400, `id must be an issue id, got "${v.slice(0, 40)}"`);
    return Number(v);
  });
}

export function issueRoutes(ctx: AppContext): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const { db, config } = ctx;

  /** The URL a client should follow: PUBLIC_URL plus this request's path and query. */
  const publicRequestUrl = (c: ApiContext) => {
    const u = new URL(c.req.url);
    return `${config.publicUrl}${u.pathname}${u.search}`;
  };

  async function respondWithList(c: ApiContext, member: Membership, projects: ProjectRow[]) {
    const sortRaw = c.req.query('sort') ?? DEFAULT_ISSUE_SORT;
    const sort = IssueSortSchema.safeParse(sortRaw);
    if (!sort.success) throw new ApiError(400, `sort must be one of date, new, freq, user, priority`);
    const q: IssueListQuery = {
      projectIds: projects.map((p) => p.id),
      terms: searchTerms(c),
      sort: sort.data,
      limit: intParam(c, 'limit', 25, 1, 100),
      cursor: parseCursor(c.req.query('cursor'), ISSUE_ID),
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
    const byId = new Map(projects.map((p) => [p.id, p]));
    return c.json(
      page.rows.map((i) => ({
        ...serializeIssue(i, byId.get(i.projectId)!, config.publicUrl, member.organizationSlug),
        ...(stats && period ? { stats: { [period]: stats.get(i.id) } } : {}),
      })),
    );
  }

  r.get('/organizations/:org/issues', async (c) => {
    const member = await orgFor(c, c.req.param('org'), 'event:read');
    return respondWithList(c, member, await visibleProjects(db.orm, member, requestedProjects(c)));
  });

  r.get('/projects/:org/:project/issues', async (c) => {
    const { member, project } = await projectFor(c, c.req.param('org'), c.req.param('project'), 'event:read');
    return respondWithList(c, member, [project]);
  });

  /** The issues a bulk request names: `id` parameters, or everything its query matches (up to 1000). */
  async function bulkTargets(c: ApiContext, member: Membership): Promise<number[]> {
    const projects = await visibleProjects(db.orm, member, requestedProjects(c));
    const ids = issueIdsParam(c);
    if (ids.length > 0) {
      const visible = new Set(projects.map((p) => p.id));
      const found = await Promise.all(ids.map((id) => getIssue(db, id)));
      return found.filter((i) => i && visible.has(i.projectId)).map((i) => i!.id);
    }
    if (c.req.query('query') === undefined) throw new ApiError(400, 'name the issues with id= parameters or a query');
    const page = await listIssues(db, { projectIds: projects.map((p) => p.id), terms: searchTerms(c), sort: 'date', limit: 1000, cursor: null });
    return page.rows.map((i) => i.id);
  }

  function statusChange(body: z.infer<typeof updateSchema>): StatusChange | null {
    if (!body.status) return null;
    if (body.status === 'resolvedInNextRelease') return { status: 'resolved', inNextRelease: true };
    if (body.status === 'resolved') return { status: 'resolved', inRelease: body.statusDetails?.inRelease ?? null, inNextRelease: body.statusDetails?.inNextRelease };
    return { status: body.status };
  }

  r.put('/organizations/:org/issues', async (c) => {
    const member = await orgFor(c, c.req.param('org'), 'event:write');
    const body = await jsonBody(c, updateSchema);
    const change = statusChange(body);
    if (!change) throw new ApiError(400, 'nothing to change: send a status');
    const ids = await bulkTargets(c, member);
    if (ids.length === 0) return c.body(null, 204);
    await setIssueStatus(db, ids, change, c.get('actor').userId);
    return c.json({ status: change.status, statusDetails: body.statusDetails ?? {} });
  });

  r.delete('/organizations/:org/issues', async (c) => {
    const member = await orgFor(c, c.req.param('org'), 'event:admin');
    const ids = await bulkTargets(c, member);
    await deleteIssues(db, ids);
    return c.body(null, 204);
  });

  const single = (path: string) => [path, `/organizations/:org${path}`];

  for (const path of single('/issues/:id')) {
    r.get(path, async (c) => {
      const { member, project, issue } = await issueFor(c, c.req.param('id')!, 'event:read', c.req.param('org'));
      const stats = await issueStats(db, [issue.id], '24h');
      const stats30 = await issueStats(db, [issue.id], '30d');
      return c.json({
        ...serializeIssue(issue, project, config.publicUrl, member.organizationSlug),
        stats: { '24h': stats.get(issue.id), '30d': stats30.get(issue.id) },
      });
    });

    r.put(path, async (c) => {
      const { member, project, issue } = await issueFor(c, c.req.param('id')!, 'event:write', c.req.param('org'));
      const body = await jsonBody(c, updateSchema);
      const change = statusChange(body);
      if (!change) throw new ApiError(400, 'nothing to change: send a status');
      await setIssueStatus(db, [issue.id], change, c.get('actor').userId);
      const updated = await getIssue(db, issue.id);
      return c.json(serializeIssue(updated!, project, config.publicUrl, member.organizationSlug));
    });

    r.delete(path, async (c) => {
      const { issue } = await issueFor(c, c.req.param('id')!, 'event:admin', c.req.param('org'));
      await deleteIssues(db, [issue.id]);
      return c.body(null, 202);
    });
  }

  for (const path of single('/issues/:id/tags')) {
    r.get(path, async (c) => {
      const { issue } = await issueFor(c, c.req.param('id')!, 'event:read', c.req.param('org'));
      const tags = await issueTags(db, issue.id, intParam(c, 'limit', 9, 1, 100));
      return c.json(tags.map((t) => serializeTag(t)));
    });
    r.get(`${path}/:key`, async (c) => {
      const { issue } = await issueFor(c, c.req.param('id')!, 'event:read', c.req.param('org'));
      const [tag] = await issueTags(db, issue.id, intParam(c, 'limit', 100, 1, 1000), c.req.param('key'));
      if (!tag) throw new ApiError(404, 'tag not found');
      return c.json(serializeTag(tag));
    });
  }

  for (const path of single('/issues/:id/hashes')) {
    r.get(path, async (c) => {
      const { issue } = await issueFor(c, c.req.param('id')!, 'event:read', c.req.param('org'));
      const rows = await db.query<{ hash: string; grouping_version: string; components: { variant?: string; variants?: unknown } | null }>(
        'SELECT hash, grouping_version, components FROM issue_hashes WHERE issue_id = $1 ORDER BY hash',
        [issue.id],
      );
      return c.json(
        rows.map((h) => ({
          id: h.hash,
          groupingVersion: h.grouping_version,
          primary: h.hash === issue.primaryHash,
          variant: h.components?.variant ?? null,
          variants: h.components?.variants ?? {},
        })),
      );
    });
  }

  return r;
}

const TAG_NAMES: Record<string, string> = { level: 'Level', environment: 'Environment', release: 'Release', user: 'User', url: 'URL' };

function serializeTag(t: { key: string; totalValues: number; uniqueValues: number; topValues: Array<{ value: string; count: number; firstSeen: Date; lastSeen: Date }> }) {
  const name = TAG_NAMES[t.key] ?? t.key;
  return {
    key: t.key,
    name,
    totalValues: t.totalValues,
    uniqueValues: t.uniqueValues,
    topValues: t.topValues.map((v) => ({
      key: t.key,
      name: v.value,
      value: v.value,
      count: v.count,
      firstSeen: v.firstSeen.toISOString(),
      lastSeen: v.lastSeen.toISOString(),
    })),
  };
}
