// One issue, as /issues/{id} and /organizations/{org}/issues/{id}: get, update and delete it, its
// tags, its grouping hashes and unmerging them.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.ts';
import { unmergeHashes } from '../queries/issue-merge.ts';
import { deleteIssues } from '../queries/issue-status.ts';
import { getIssue, issueStats, issueTags, type IssueListRow } from '../queries/issues.ts';
import { openapi, route, type AccessRule, type ApiEnv } from './access.ts';
import { intParam, type ApiContext } from './context.ts';
import { applyUpdate, parseUpdate, updateBody, type UpdateInput } from './issue-update.ts';
import { issueExtras } from './issues.ts';
import { errorResponses, IssueParams, IssueSchema, json, noContent, OrgIssueParams, repeated, TagSchema } from './schemas.ts';
import { serializeIssue } from './serializers.ts';

const tags = ['Issues'];

const HashSchema = z.object({ id: z.string(), groupingVersion: z.string(), primary: z.boolean(), variant: z.string().nullable(), variants: z.record(z.string(), z.unknown()) }).openapi('IssueHash');
const UnmergeQuery = z.object({ id: repeated('Hashes to move to a new issue') });

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

export function issueDetailRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

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
