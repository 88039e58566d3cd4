// Issues, organization-wide and per project (Sentry's issue API): lists, one issue, status changes
// (resolve, ignore with conditions, reopen), assignment, merge and unmerge, stats over any range.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Membership } from '../auth/access.ts';
import type { Queryable } from '../db/client.ts';
import { ApiError } from '../errors.ts';
import { commentCounts } from '../queries/issue-activity.ts';
import { assignIssues, assigneesOf, checkAssignable, resolveAssignee, type Assignee } from '../queries/issue-assign.ts';
import { mergeIssues, unmergeHashes } from '../queries/issue-merge.ts';
import { DAY_MS, HOUR_MS, issueStatsRange } from '../queries/issue-stats.ts';
import { deleteIssues, setIssueStatus, type IgnoreRequest, type StatusChange } from '../queries/issue-status.ts';
import { getIssue, hasIssuesBefore, issueStats, issueTags, listIssues, type IssueListQuery, type IssueListRow, type StatsPeriod } from '../queries/issues.ts';
import { DEFAULT_ISSUE_SORT, IssueSortSchema, parseIssueSearch } from '../search/issues.ts';
import { SearchSyntaxError } from '../search/parse.ts';
import type { ResolvedTerm } from '../search/spec.ts';
import { openapi, route, type AccessRule, type ApiEnv, type ProjectRow } from './access.ts';
import { intParam, visibleProjects, type ApiContext } from './context.ts';
import { ISSUE_ID, linkHeader, parseCursor, publicRequestUrl } from './pagination.ts';
import { errorResponses, IssueListQuery as IssueListQuerySchema, IssueParams, IssueSchema, json, noContent, OrgIssueParams, OrgParams, ProjectParams, repeated, TagSchema } from './schemas.ts';
import { serializeIssue, type IssueExtras } from './serializers.ts';

const tags = ['Issues'];

// Ignore conditions, in minutes where they are durations (Sentry's names). They may be sent in
// statusDetails or, as older Sentry clients do, next to status.
const IGNORE_FIELDS = {
  ignoreDuration: z.number().int().min(1).max(525_600).optional().openapi({ description: 'Ignore for this many minutes' }),
  ignoreCount: z.number().int().min(1).max(1_000_000_000).optional().openapi({ description: 'Until this many more events (within ignoreWindow minutes, if set)' }),
  ignoreWindow: z.number().int().min(1).max(10_080).optional().openapi({ description: 'Minutes: with ignoreCount, a rate' }),
  ignoreUserCount: z.number().int().min(1).max(1_000_000_000).optional().openapi({ description: 'Until this many more users (within ignoreUserWindow minutes, if set)' }),
  ignoreUserWindow: z.number().int().min(1).max(10_080).optional().openapi({ description: 'Minutes: with ignoreUserCount, users within a window' }),
};

const UpdateBody = z
  .object({
    status: z.enum(['resolved', 'unresolved', 'ignored', 'resolvedInNextRelease']).optional(),
    statusDetails: z
      .object({
        inRelease: z.string().min(1).max(200).optional().openapi({ description: 'Resolved in this release ("latest": the latest release)' }),
        inNextRelease: z.boolean().optional(),
        ...IGNORE_FIELDS,
      })
      .loose()
      .optional(),
    ...IGNORE_FIELDS,
    assignedTo: z
      .string()
      .max(300)
      .nullable()
      .optional()
      .openapi({ description: '"user:<id>", "team:<id>", "#team-slug", an email, or null / "" to unassign' }),
    merge: z.union([z.boolean(), z.literal(0), z.literal(1)]).optional().openapi({ description: 'Bulk only: merge the issues into the one with the most events' }),
  })
  .openapi('IssueUpdate');
type UpdateInput = z.infer<typeof UpdateBody>;

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


const HashSchema = z.object({ id: z.string(), groupingVersion: z.string(), primary: z.boolean(), variant: z.string().nullable(), variants: z.record(z.string(), z.unknown()) }).openapi('IssueHash');
const updateBody = { content: { 'application/json': { schema: UpdateBody } }, required: true };
const BulkQuery = IssueListQuerySchema.pick({ id: true, query: true, project: true, environment: true });
const BulkResult = z
  .object({
    status: z.string().optional(),
    statusDetails: z.record(z.string(), z.unknown()).optional(),
    assignedTo: z.unknown().optional(),
    merge: z.object({ parent: z.string(), children: z.array(z.string()) }).optional(),
  })
  .openapi('IssueBulkResult');
const StatsQuery = z.object({
  statsPeriod: z.string().optional().openapi({ description: 'A period ending now: 24h, 14d, 30d, 90d (any <n>h or <n>d up to 90d); default 24h' }),
  start: z.string().optional().openapi({ description: 'Start (ISO 8601 or unix seconds), with end' }),
  end: z.string().optional().openapi({ description: 'End (ISO 8601 or unix seconds), with start' }),
  interval: z.string().optional().openapi({ description: '1h or 1d; default 1h for up to 3 days, else 1d' }),
});
const UnmergeQuery = z.object({ id: repeated('Hashes to move to a new issue') });

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
  summary: 'Change the status or assignee of the issues named by id= parameters (or of those a query matches, up to 1000), or merge them ({merge: 1})',
  request: { params: OrgParams, query: BulkQuery, body: updateBody },
  responses: { 200: json(BulkResult, 'Applied'), 204: noContent('Nothing matched'), ...errorResponses },
});
const bulkDelete = route({ kind: 'org', scope: 'event:admin' }, {
  method: 'delete',
  path: '/api/0/organizations/{org}/issues',
  tags,
  summary: 'Delete the issues named by id= parameters, or those a query matches (up to 1000), with their events',
  request: { params: OrgParams, query: BulkQuery },
  responses: { 204: noContent('Deleted'), ...errorResponses },
});

/**
 * Each single-issue route exists as /issues/{id} and, like Sentry, /organizations/{org}/issues/{id}.
 * `params` adds path parameters after {id}; the access rule is always `issue` with the given scope.
 */
export function issueRoutePair<M extends 'get' | 'put' | 'post' | 'delete'>(
  method: M,
  suffix: string,
  access: { scope: string; roles?: Extract<AccessRule, { kind: 'issue' }>['roles'] },
  summary: string,
  extra: { body?: { content: Record<string, { schema: z.ZodType }>; required?: boolean }; query?: z.ZodObject; params?: Record<string, z.ZodType>; tags?: string[] },
  responses: Record<number, unknown>,
) {
  const mk = (path: string, params: z.ZodObject) =>
    route({ kind: 'issue', ...access }, {
      method,
      path,
      tags: extra.tags ?? tags,
      summary,
      request: { params: params.extend(extra.params ?? {}), ...(extra.body ? { body: extra.body } : {}), ...(extra.query ? { query: extra.query } : {}) },
      responses: { ...(responses as object), ...errorResponses },
    } as never);
  return [mk(`/api/0/issues/{id}${suffix}`, IssueParams), mk(`/api/0/organizations/{org}/issues/{id}${suffix}`, OrgIssueParams)];
}

const tagKeyParam = { key: z.string().min(1).max(200).openapi({ param: { name: 'key', in: 'path' }, example: 'environment' }) };
const read = { scope: 'event:read' };
const getIssueRoutes = issueRoutePair('get', '', read, 'One issue, with 24h and 30d stats', {}, { 200: json(IssueSchema, 'The issue') });
const updateIssueRoutes = issueRoutePair('put', '', { scope: 'event:write' }, "Change an issue's status (resolve, ignore with conditions, reopen) or assignee", { body: updateBody }, {
  200: json(IssueSchema, 'The updated issue'),
});
const deleteIssueRoutes = issueRoutePair('delete', '', { scope: 'event:admin' }, 'Delete an issue with its events', {}, { 202: noContent('Deleted') });
const tagsRoutes = issueRoutePair('get', '/tags', read, 'Tag keys of an issue with their most frequent values', {}, { 200: json(z.array(TagSchema), 'Tags') });
const tagRoutes = issueRoutePair('get', '/tags/{key}', read, 'One tag key of an issue with its values', { params: tagKeyParam }, { 200: json(TagSchema, 'The tag') });
const hashesRoutes = issueRoutePair('get', '/hashes', read, 'The grouping hashes that lead to an issue, with their components', {}, { 200: json(z.array(HashSchema), 'Hashes') });
const unmergeRoutes = issueRoutePair('delete', '/hashes', { scope: 'event:admin' }, 'Unmerge: move the hashes named by id= parameters, with their events, to a new issue', { query: UnmergeQuery }, {
  202: json(z.object({ id: z.string(), source: z.string(), fingerprints: z.array(z.string()) }), 'The new issue'),
});
const statsRoutes = issueRoutePair('get', '/stats', read, 'Events per hour or day over any range (statsPeriod, or start and end)', { query: StatsQuery }, {
  200: json(z.array(z.tuple([z.number(), z.number()])), '[unix seconds, events] per bucket, oldest first'),
});

/** Who each issue is assigned to and how many comments it has, for serializeIssue. */
export async function issueExtras(db: Queryable, rows: IssueListRow[]): Promise<Map<number, IssueExtras>> {
  const [assignees, comments] = await Promise.all([assigneesOf(db, rows), commentCounts(db, rows.map((r) => r.id))]);
  return new Map(rows.map((r, i) => [r.id, { assignedTo: assignees[i], numComments: comments.get(r.id) ?? 0 }]));
}

/** A request body as what to do: a status change, an assignee (undefined: leave; null: unassign), a merge. */
interface Update {
  status: StatusChange | null;
  assignedTo: string | null | undefined;
  merge: boolean;
}

function parseUpdate(body: UpdateInput): Update {
  const details = body.statusDetails ?? {};
  const ignore: IgnoreRequest = {};
  for (const k of ['ignoreDuration', 'ignoreCount', 'ignoreWindow', 'ignoreUserCount', 'ignoreUserWindow'] as const) {
    const v = details[k] ?? body[k];
    if (v !== undefined) ignore[k] = v;
  }
  const hasIgnore = Object.keys(ignore).length > 0;
  if (hasIgnore && body.status !== 'ignored') throw new ApiError(400, 'ignore conditions need status "ignored"');
  if (ignore.ignoreWindow !== undefined && ignore.ignoreCount === undefined) throw new ApiError(400, 'ignoreWindow needs ignoreCount');
  if (ignore.ignoreUserWindow !== undefined && ignore.ignoreUserCount === undefined) throw new ApiError(400, 'ignoreUserWindow needs ignoreUserCount');
  if ((details.inRelease !== undefined || details.inNextRelease) && body.status !== 'resolved' && body.status !== 'resolvedInNextRelease') {
    throw new ApiError(400, 'inRelease and inNextRelease need status "resolved"');
  }
  let status: StatusChange | null = null;
  if (body.status === 'resolvedInNextRelease') status = { status: 'resolved', inNextRelease: true };
  else if (body.status === 'resolved') status = { status: 'resolved', inRelease: details.inRelease ?? null, inNextRelease: details.inNextRelease };
  else if (body.status === 'ignored') status = { status: 'ignored', ignore: hasIgnore ? ignore : undefined };
  else if (body.status === 'unresolved') status = { status: 'unresolved' };
  const merge = body.merge === true || body.merge === 1;
  if (!status && body.assignedTo === undefined && !merge) throw new ApiError(400, 'nothing to change: send status, assignedTo or merge');
  return { status, assignedTo: body.assignedTo === '' ? null : body.assignedTo, merge };
}

/** Parses a time given as ISO 8601 or unix seconds. */
function timeParam(name: string, raw: string): Date {
  const d = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999) throw new ApiError(400, `${name} must be an ISO 8601 time or unix seconds`);
  return d;
}

const MAX_STATS_BUCKETS = 5000;
const MAX_STATS_PERIOD_MS = 90 * DAY_MS;

/** start, end and bucket size of a stats request; a period ends with the current bucket. */
export function statsRange(q: { statsPeriod?: string; start?: string; end?: string; interval?: string }, now = new Date()): { start: Date; end: Date; interval: number } {
  let interval: number | null = null;
  if (q.interval !== undefined) {
    const m = /^(\d+)([hd])$/.exec(q.interval);
    const ms = m ? Number(m[1]) * (m[2] === 'h' ? HOUR_MS : DAY_MS) : Number.NaN;
    if (ms === HOUR_MS) interval = HOUR_MS;
    else if (ms === DAY_MS) interval = DAY_MS;
    else throw new ApiError(400, 'interval must be 1h or 1d');
  }
  if ((q.start === undefined) !== (q.end === undefined)) throw new ApiError(400, 'send both start and end, or statsPeriod');
  if (q.start !== undefined && q.statsPeriod !== undefined) throw new ApiError(400, 'send either statsPeriod or start and end');
  if (q.start !== undefined && q.end !== undefined) {
    const start = timeParam('start', q.start);
    const end = timeParam('end', q.end);
    if (end.getTime() <= start.getTime()) throw new ApiError(400, 'end must be after start');
    const step = interval ?? (end.getTime() - start.getTime() <= 3 * DAY_MS ? HOUR_MS : DAY_MS);
    if ((end.getTime() - start.getTime()) / step > MAX_STATS_BUCKETS) throw new ApiError(400, `too many buckets: at most ${MAX_STATS_BUCKETS}, use a larger interval`);
    return { start, end, interval: step };
  }
  const m = /^(\d{1,4})([hd])$/.exec(q.statsPeriod ?? '24h');
  const period = m ? Number(m[1]) * (m[2] === 'h' ? HOUR_MS : DAY_MS) : Number.NaN;
  if (!(period > 0) || period > MAX_STATS_PERIOD_MS) throw new ApiError(400, 'statsPeriod must be like 24h, 14d, 30d or 90d (at most 90d)');
  const step = interval ?? (period <= 3 * DAY_MS ? HOUR_MS : DAY_MS);
  if (period % step !== 0) throw new ApiError(400, 'statsPeriod must be a whole number of intervals');
  const end = Math.floor(now.getTime() / step) * step + step;
  return { start: new Date(end - period), end: new Date(end), interval: step };
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

  /** The issues a bulk request names, in the order named: `id` parameters, or everything its query matches (up to 1000). */
  async function bulkTargets(c: ApiContext, member: Membership): Promise<IssueListRow[]> {
    const { db } = c.get('app');
    const projects = await visibleProjects(db.orm, member, requestedProjects(c));
    const ids = issueIdsParam(c);
    if (ids.length > 0) {
      const visible = new Set(projects.map((p) => p.id));
      const found = await Promise.all([...new Set(ids)].map((id) => getIssue(db, id)));
      return found.filter((i): i is IssueListRow => i !== null && visible.has(i.projectId));
    }
    if (c.req.query('query') === undefined) throw new ApiError(400, 'name the issues with id= parameters or a query');
    const page = await listIssues(db, { projectIds: projects.map((p) => p.id), terms: searchTerms(c), sort: 'date', limit: 1000, cursor: null, actorUserId: c.get('actor')!.userId });
    return page.rows;
  }

  /** Applies status and assignee changes to the issues; returns what was applied, Sentry-shaped. */
  async function applyUpdate(c: ApiContext, targets: IssueListRow[], update: Update): Promise<z.infer<typeof BulkResult>> {
    const { db } = c.get('app');
    const member = c.get('member');
    const userId = c.get('actor')!.userId;
    const ids = targets.map((t) => t.id);
    const out: z.infer<typeof BulkResult> = {};
    let assignee: Assignee | null = null;
    if (update.assignedTo) {
      assignee = await resolveAssignee(db, member.organizationId, update.assignedTo);
      await checkAssignable(db, member.organizationId, assignee, targets.map((t) => t.projectId));
    }
    if (update.status) {
      const applied = await setIssueStatus(db, ids, update.status, userId);
      out.status = update.status.status;
      out.statusDetails = applied.statusDetails;
    }
    if (update.assignedTo !== undefined) {
      await assignIssues(db, ids, assignee, userId);
      out.assignedTo = assignee ? (await assigneesOf(db, [{ assigneeUserId: assignee.type === 'user' ? assignee.id : null, assigneeTeamId: assignee.type === 'team' ? assignee.id : null }]))[0] : null;
    }
    return out;
  }

  r.openapi(bulkUpdate, async (c) => {
    const update = parseUpdate(c.req.valid('json'));
    const targets = await bulkTargets(c, c.get('member'));
    if (targets.length === 0) return c.body(null, 204);
    const out = await applyUpdate(c, targets, update);
    if (update.merge) {
      const m = await mergeIssues(c.get('app').db, targets.map((t) => t.id), c.get('actor')!.userId);
      out.merge = { parent: String(m.parent), children: m.children.map(String) };
    }
    return c.json(out, 200);
  });

  r.openapi(bulkDelete, async (c) => {
    await deleteIssues(c.get('app').db, (await bulkTargets(c, c.get('member'))).map((i) => i.id));
    return c.body(null, 204);
  });

  async function serializeOne(c: ApiContext, issue: IssueListRow) {
    const { db, config } = c.get('app');
    const extras = await issueExtras(db, [issue]);
    return serializeIssue(issue, c.get('project'), config.publicUrl, c.get('member').organizationSlug, extras.get(issue.id));
  }

  for (const rt of getIssueRoutes) {
    openapi(r, rt, async (c) => {
      const { db } = c.get('app');
      const issue = (await getIssue(db, c.get('issue').id))!;
      const stats = await issueStats(db, [issue.id], '24h');
      const stats30 = await issueStats(db, [issue.id], '30d');
      return c.json({ ...(await serializeOne(c, issue)), stats: { '24h': stats.get(issue.id), '30d': stats30.get(issue.id) } });
    });
  }

  for (const rt of updateIssueRoutes) {
    openapi(r, rt, async (c) => {
      const { db } = c.get('app');
      const update = parseUpdate((c.req as unknown as { valid(t: 'json'): UpdateInput }).valid('json'));
      if (update.merge) throw new ApiError(400, 'merging needs several issues: PUT /api/0/organizations/{org}/issues/?id=..&id=.. {"merge": 1}');
      const issue = (await getIssue(db, c.get('issue').id))!;
      await applyUpdate(c, [issue], update);
      return c.json(await serializeOne(c, (await getIssue(db, issue.id))!));
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

  for (const rt of unmergeRoutes) {
    openapi(r, rt, async (c) => {
      const issue = c.get('issue');
      const hashes = c.req.queries('id') ?? [];
      for (const h of hashes) if (!/^[0-9a-f]{1,64}$/.test(h)) throw new ApiError(400, `id must be a hash of the issue, got "${h.slice(0, 70)}"`);
      const created = await unmergeHashes(c.get('app').db, issue.id, hashes, c.get('actor')!.userId);
      return c.json({ id: String(created.id), source: String(issue.id), fingerprints: [...new Set(hashes)].sort() }, 202);
    });
  }

  for (const rt of statsRoutes) {
    openapi(r, rt, async (c) => {
      const range = statsRange({ statsPeriod: c.req.query('statsPeriod'), start: c.req.query('start'), end: c.req.query('end'), interval: c.req.query('interval') });
      return c.json(await issueStatsRange(c.get('app').db, c.get('issue').id, range.start, range.end, range.interval));
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
