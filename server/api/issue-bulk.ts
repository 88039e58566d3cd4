// Bulk changes to the issues named by id= parameters or matched by a query (PUT and DELETE
// /organizations/{org}/issues): status, assignee, merge, deletion.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Membership } from '../auth/access.ts';
import { ApiError } from '../errors.ts';
import { mergeIssues } from '../queries/issue-merge.ts';
import { deleteIssues } from '../queries/issue-status.ts';
import { getIssue, listIssues, type IssueListRow } from '../queries/issues.ts';
import { route, type ApiEnv } from './access.ts';
import { visibleProjects, type ApiContext } from './context.ts';
import { applyUpdate, BulkResult, parseUpdate, updateBody } from './issue-update.ts';
import { requestedProjects, searchTerms } from './issues.ts';
import { errorResponses, IssueListQuery as IssueListQuerySchema, json, noContent, OrgParams } from './schemas.ts';

const tags = ['Issues'];

function issueIdsParam(c: ApiContext): number[] {
  return (c.req.queries('id') ?? []).map((v) => {
    if (!/^\d{1,18}$/.test(v)) throw new ApiError(400, `id must be an issue id, got "${v.slice(0, 40)}"`);
    return Number(v);
  });
}

const BulkQuery = IssueListQuerySchema.pick({ id: true, query: true, project: true, environment: true });
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

export function issueBulkRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

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

  return r;
}
