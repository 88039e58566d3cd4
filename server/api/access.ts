// Access control for the web API, in one place (style habit 9). Every route is declared with `route()`
// and an access rule; the rule's middleware resolves the objects the path names and checks them:
//   401  no or invalid credentials;
//   404  an organization, project, team or issue the caller is not a member of (or cannot see), so that
//        no one learns what exists elsewhere;
//   403  a token without the scope, or a role without the right.
// The handler then finds what it needs in c.var (member, project, team, issue). REGISTRY lists every
// route with its rule; a test generated from it checks all three answers for every route.
import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppContext } from '../app.ts';
import { canViewProject, hasScope, membershipFor, type Actor, type Membership, type Role } from '../auth/access.ts';
import { issues, projects, teams } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { ROLE_SCOPES } from '../auth/roles.ts';

export type ProjectRow = typeof projects.$inferSelect;
export type IssueRow = typeof issues.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;

export type ApiEnv = {
  Variables: {
    app: AppContext;
    /** Set when the request carries valid credentials. */
    actor?: Actor;
    member: Membership;
    project: ProjectRow;
    team: TeamRow;
    issue: IssueRow;
  };
};

/**
 * What a route needs. `scope` is the token scope (sessions have all scopes of their role); `roles`
 * limits it to some organization roles.
 *   public   anyone (sign-in, the API description)
 *   user     any signed-in user; no organization in the path
 *   org      {org} in the path: a member of it
 *   project  {org}/{project}: a member who can see the project (owners and admins all, members via teams)
 *   team     {org}/{team}: a member; the team must exist in the organization
 *   issue    {id} (and optionally {org}): a member who can see the issue's project
 */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'user'; scope?: string }
  | { kind: 'org' | 'project' | 'team' | 'issue'; scope: string; roles?: readonly Role[] };

export interface RegisteredRoute {
  method: string;
  /** OpenAPI form, e.g. /api/0/issues/{id} */
  path: string;
  access: AccessRule;
}

export const REGISTRY: RegisteredRoute[] = [];

export const ADMIN_ROLES: readonly Role[] = ['owner', 'admin'];
export const OWNER_ROLES: readonly Role[] = ['owner'];

function actorOf(c: Parameters<MiddlewareHandler<ApiEnv>>[0]): Actor {
  const actor = c.get('actor');
  if (!actor) throw new ApiError(401, 'authentication credentials were not provided');
  return actor;
}

/**
 * In an organization, a caller has the scopes of its credentials (a token's own, a session's those of
 * the user's roles) AND of its role there: a member's token with every scope still cannot do what a
 * member may not, as in Sentry.
 */
function checkScopeAndRole(actor: Actor, member: Membership, rule: { scope: string; roles?: readonly Role[] }) {
  if (!hasScope(actor, rule.scope)) throw new ApiError(403, `this token lacks the ${rule.scope} scope`);
  if (!hasScope({ ...actor, scopes: new Set(ROLE_SCOPES[member.role]) }, rule.scope)) throw new ApiError(403, `the ${member.role} role lacks the ${rule.scope} scope`);
  if (rule.roles && !rule.roles.includes(member.role)) throw new ApiError(403, `requires the ${rule.roles.join(' or ')} role`);
}

export function accessMiddleware(rule: AccessRule): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (rule.kind === 'public') return next();
    const actor = actorOf(c);
    if (rule.kind === 'user') {
      if (rule.scope && !hasScope(actor, rule.scope)) throw new ApiError(403, `this token lacks the ${rule.scope} scope`);
      return next();
    }
    const orm = c.get('app').db.orm;
    const param = (name: string) => c.req.param(name) as string | undefined;

    if (rule.kind === 'issue') {
      const id = param('id') ?? '';
      if (!/^\d{1,18}$/.test(id)) throw notFound('issue');
      const [row] = await orm.select({ issue: issues, project: projects }).from(issues).innerJoin(projects, eq(projects.id, issues.projectId)).where(eq(issues.id, Number(id))).limit(1);
      if (!row) throw notFound('issue');
      const member = await membershipFor(orm, actor.userId, String(row.project.organizationId));
      const org = param('org');
      if (!member || (org && org !== member.organizationSlug && org !== String(member.organizationId))) throw notFound('issue');
      if (!(await canViewProject(orm, member, row.project))) throw notFound('issue');
      checkScopeAndRole(actor, member, rule);
      c.set('member', member);
      c.set('project', row.project);
      c.set('issue', row.issue);
      return next();
    }

    const member = await membershipFor(orm, actor.userId, param('org') ?? '');
    if (!member) throw notFound('organization');
    if (rule.kind === 'project') {
      const slug = param('project') ?? '';
      const byId = /^\d+$/.test(slug);
      const [project] = await orm
        .select()
        .from(projects)
        .where(and(eq(projects.organizationId, member.organizationId), byId ? eq(projects.id, Number(slug)) : eq(projects.slug, slug)))
        .limit(1);
      if (!project || !(await canViewProject(orm, member, project))) throw notFound('project');
      c.set('project', project);
    } else if (rule.kind === 'team') {
      const slug = param('team') ?? '';
      const [team] = await orm.select().from(teams).where(and(eq(teams.organizationId, member.organizationId), eq(teams.slug, slug))).limit(1);
      if (!team) throw notFound('team');
      c.set('team', team);
    }
    checkScopeAndRole(actor, member, rule);
    c.set('member', member);
    return next();
  };
}

/**
 * A route of the web API: its OpenAPI description (validated request parts, responses) plus its access
 * rule, whose middleware runs before the request is validated. `path` is the full path with {param}
 * placeholders, e.g. `/api/0/issues/{id}`.
 */
export function route<P extends string, R extends Omit<RouteConfig, 'path' | 'middleware'> & { path: P }>(access: AccessRule, config: R) {
  REGISTRY.push({ method: config.method.toUpperCase(), path: config.path, access });
  const security: Array<Record<string, string[]>> = access.kind === 'public' ? [] : [{ bearer: [] }, { session: [] }];
  return createRoute({ ...config, security, middleware: accessMiddleware(access) });
}

/**
 * Registers a handler for a route whose request types are not known statically (routes made in a
 * loop, such as the /issues/{id} and /organizations/{org}/issues/{id} pairs). Validation and the
 * OpenAPI description are the same as with `app.openapi`.
 */
export function openapi(app: OpenAPIHono<ApiEnv>, r: ReturnType<typeof route>, handler: (c: Context<ApiEnv>) => Promise<Response>): void {
  (app.openapi as unknown as (r: unknown, h: unknown) => void)(r, handler);
}
