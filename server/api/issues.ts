// Issues, organization-wide and per project (Sentry's issue API).
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Membership } from '../auth/access.ts';
import { ApiError } from '../errors.ts';
import { deleteIssues, setIssueStatus, type StatusChange } from '../queries/issue-status.ts';
import { getIssue, hasIssuesBefore, issueStats, issueTags, listIssues, type IssueListQuery, type StatsPeriod } from '../queries/issues.ts';
import { DEFAULT_ISSUE_SORT, IssueSortSchema, parseIssueSearch } from '../search/issues.ts';
import { SearchSyntaxError } from '../search/parse.ts';
import type { ResolvedTerm } from '../search/spec.ts';
import { openapi, route, type ApiEnv, type ProjectRow } from './access.ts';
import { intParam, visibleProjects, type ApiContext } from './context.ts';
import { ISSUE_ID, linkHeader, parseCursor } from './pagination.ts';
import { errorResponses, IssueListQuery as IssueListQuerySchema, IssueParams, IssueSchema, json, noContent, OrgIssueParams, OrgParams, ProjectParams, TagSchema } from './schemas.ts';
import { serializeIssue } from './serializers.ts';

const tags = ['Issues'];

const UpdateBody = z.object({
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


const TagKeyParams = IssueParams.extend({ key: z.string().min(1).max(200).openapi({ param: { name: 'key', in: 'path' }, example: 'environment' }) });
const OrgTagKeyParams = OrgIssueParams.extend({ key: TagKeyParams.shape.key });
const HashSchema = z.object({ id: z.string(), groupingVersion: z.string(), primary: z.boolean(), variant: z.string().nullable(), variants: z.record(z.string(), z.unknown()) }).openapi('IssueHash');
const updateBody = { content: { 'application/json': { schema: UpdateBody } }, required: true };
const BulkQuery = IssueListQuerySchema.pick({ id: true, query: true, project: true, environment: true });

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
const bulkUpdate = route({ kind: 'org', scope: 'event:write' }, {
  method: 'put',
  path: '/api/0/organizations/{org}/issues',
  tags,
  summary: 'Change the status of the issues named by id= parameters, or of those a query matches (up to 1000)',
  request: { params: OrgParams, query: BulkQuery, body: updateBody },
  responses: { 200: json(z.object({ status: z.string(), statusDetails: z.unknown() }), 'Applied'), 204: noContent('Nothing matched'), ...errorResponses },
});
const bulkDelete = route({ kind: 'org', scope: 'event:admin' }, {
  method: 'delete',
  path: '/api/0/organizations/{org}/issues',
  tags,
  summary: 'Delete the issues named by id= parameters, or those a query matches (up to 1000), with their events',
  request: { params: OrgParams, query: BulkQuery },
  responses: { 204: noContent('Deleted'), ...errorResponses },
});

/** Each single-issue route exists as /issues/{id} and, like Sentry, /organizations/{org}/issues/{id}. */
function issueRoutePair<M extends 'get' | 'put' | 'delete'>(method: M, suffix: string, scope: string, summary: string, extra: { body?: typeof updateBody; key?: boolean }, responses: Record<number, unknown>) {
  const mk = (path: string, params: z.ZodObject) =>
    route({ kind: 'issue', scope }, {
      method,
      path,
      tags,
      summary,
      request: { params, ...(extra.body ? { body: extra.body } : {}) },
      responses: { ...(responses as object), ...errorResponses },
    } as never);
  return [
    mk(`/api/0/issues/{id}${suffix}`, extra.key ? TagKeyParams : IssueParams),
    mk(`/api/0/organizations/{org}/issues/{id}${suffix}`, extra.key ? OrgTagKeyParams : OrgIssueParams),
  ];
}

const getIssueRoutes = issueRoutePair('get', '', 'event:read', 'One issue, with 24h and 30d stats', {}, { 200: json(IssueSchema, 'The issue') });
const updateIssueRoutes = issueRoutePair('put', '', 'event:write', 'Change an issue\'s status', { body: updateBody }, { 200: json(IssueSchema, 'The updated issue') });
const deleteIssueRoutes = issueRoutePair('delete', '', 'event:admin', 'Delete an issue with its events', {}, { 202: noContent('Deleted') });
const tagsRoutes = issueRoutePair('get', '/tags', 'event:read', 'Tag keys of an issue with their most frequent values', {}, { 200: json(z.array(TagSchema), 'Tags') });
const tagRoutes = issueRoutePair('get', '/tags/{key}', 'event:read', 'One tag key of an issue with its values', { key: true }, { 200: json(TagSchema, 'The tag') });
const hashesRoutes = issueRoutePair('get', '/hashes', 'event:read', 'The grouping hashes that lead to an issue, with their components', {}, { 200: json(z.array(HashSchema), 'Hashes') });

export function issueRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  /** The URL a client should follow: PUBLIC_URL plus this request's path and query. */
  const publicRequestUrl = (c: ApiContext) => {
    const u = new URL(c.req.url);
    return `${c.get('app').config.publicUrl}${u.pathname}${u.search}`;
  };

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

  /** The issues a bulk request names: `id` parameters, or everything its query matches (up to 1000). */
  async function bulkTargets(c: ApiContext, member: Membership): Promise<number[]> {
    const { db } = c.get('app');
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

  function statusChange(body: z.infer<typeof UpdateBody>): StatusChange {
    if (!body.status) throw new ApiError(400, 'nothing to change: send a status');
    if (body.status === 'resolvedInNextRelease') return { status: 'resolved', inNextRelease: true };
    if (body.status === 'resolved') return { status: 'resolved', inRelease: body.statusDetails?.inRelease ?? null, inNextRelease: body.statusDetails?.inNextRelease };
    return { status: body.status };
  }

  r.openapi(bulkUpdate, async (c) => {
    const body = c.req.valid('json');
    const change = statusChange(body);
    const ids = await bulkTargets(c, c.get('member'));
    if (ids.length === 0) return c.body(null, 204);
    await setIssueStatus(c.get('app').db, ids, change, c.get('actor')!.userId);
    return c.json({ status: change.status, statusDetails: body.statusDetails ?? {} }, 200);
  });

  r.openapi(bulkDelete, async (c) => {
    await deleteIssues(c.get('app').db, await bulkTargets(c, c.get('member')));
    return c.body(null, 204);
  });

  for (const rt of getIssueRoutes) {
    openapi(r, rt, async (c) => {
      const { db, config } = c.get('app');
      const issue = c.get('issue');
      const stats = await issueStats(db, [issue.id], '24h');
      const stats30 = await issueStats(db, [issue.id], '30d');
      return c.json({
        ...serializeIssue(issue, c.get('project'), config.publicUrl, c.get('member').organizationSlug),
        stats: { '24h': stats.get(issue.id), '30d': stats30.get(issue.id) },
      });
    });
  }

  for (const rt of updateIssueRoutes) {
    openapi(r, rt, async (c) => {
      const { db, config } = c.get('app');
      const issue = c.get('issue');
      const change = statusChange((c.req as unknown as { valid(t: 'json'): z.infer<typeof UpdateBody> }).valid('json'));
      await setIssueStatus(db, [issue.id], change, c.get('actor')!.userId);
      const updated = await getIssue(db, issue.id);
      return c.json(serializeIssue(updated!, c.get('project'), config.publicUrl, c.get('member').organizationSlug));
    });
  }

  for (const rt of deleteIssueRoutes) {
    openapi(r, rt, async (c) => {
      await deleteIssues(c.get('app').db, [c.get('issue').id]);
      return c.body(null, 202);
    });
  }

  for (const rt of tagsRoutes) {
    openapi(r, rt, async (c) => {
      const tags = await issueTags(c.get('app').db, c.get('issue').id, intParam(c, 'limit', 9, 1, 100));
      return c.json(tags.map((t) => serializeTag(t)));
    });
  }

  for (const rt of tagRoutes) {
    openapi(r, rt, async (c) => {
      const [tag] = await issueTags(c.get('app').db, c.get('issue').id, intParam(c, 'limit', 100, 1, 1000), c.req.param('key'));
      if (!tag) throw new ApiError(404, 'tag not found');
      return c.json(serializeTag(tag));
    });
  }

  for (const rt of hashesRoutes) {
    openapi(r, rt, async (c) => {
      const issue = c.get('issue');
      const rows = await c.get('app').db.query<{ hash: string; grouping_version: string; components: { variant?: string; variants?: unknown } | null }>(
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
