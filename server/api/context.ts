// Resolving the objects a web API request names, with the access check in one place:
// an object of another organization, or one the caller cannot see, is a 404 (never a 403 that would
// confirm it exists); a missing scope or role is a 403.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppContext } from '../app.ts';
import { canViewProject, hasScope, membershipFor, seesAllProjects, type Actor, type Membership } from '../auth/access.ts';
import type { Orm } from '../db/client.ts';
import { issues, projects, projectTeams } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';

export type ApiEnv = { Variables: { actor: Actor; app: AppContext } };
export type ApiContext = Context<ApiEnv>;
export type ProjectRow = typeof projects.$inferSelect;
export type IssueRow = typeof issues.$inferSelect;

export function requireScope(c: ApiContext, scope: string): void {
  if (!hasScope(c.get('actor'), scope)) throw new ApiError(403, `this token lacks the ${scope} scope`);
}

export async function orgFor(c: ApiContext, orgSlug: string, scope: string): Promise<Membership> {
  const m = await membershipFor(c.get('app').db.orm, c.get('actor').userId, orgSlug);
  if (!m) throw notFound('organization');
  requireScope(c, scope);
  return m;
}

export async function projectFor(c: ApiContext, orgSlug: string, projectSlug: string, scope: string): Promise<{ member: Membership; project: ProjectRow }> {
  const member = await orgFor(c, orgSlug, scope);
  const orm = c.get('app').db.orm;
  const byId = /^\d+$/.test(projectSlug);
  const [project] = await orm
    .select()
    .from(projects)
    .where(and(eq(projects.organizationId, member.organizationId), byId ? eq(projects.id, Number(projectSlug)) : eq(projects.slug, projectSlug)))
    .limit(1);
  if (!project || !(await canViewProject(orm, member, project))) throw notFound('project');
  return { member, project };
}

/** An issue by its numeric id, checked against every organization the caller belongs to. */
export async function issueFor(c: ApiContext, issueId: string, scope: string, orgSlug?: string): Promise<{ member: Membership; project: ProjectRow; issue: IssueRow }> {
  if (!/^\d{1,18}$/.test(issueId)) throw notFound('issue');
  const orm = c.get('app').db.orm;
  const [row] = await orm
    .select({ issue: issues, project: projects })
    .from(issues)
    .innerJoin(projects, eq(projects.id, issues.projectId))
    .where(eq(issues.id, Number(issueId)))
    .limit(1);
  if (!row) throw notFound('issue');
  const member = await membershipFor(orm, c.get('actor').userId, String(row.project.organizationId));
  if (!member || (orgSlug && orgSlug !== member.organizationSlug && orgSlug !== String(member.organizationId))) throw notFound('issue');
  if (!(await canViewProject(orm, member, row.project))) throw notFound('issue');
  requireScope(c, scope);
  return { member, project: row.project, issue: row.issue };
}

/** The projects a member sees, optionally narrowed to requested ids (an id they cannot see: 403, as Sentry). */
export async function visibleProjects(orm: Orm, m: Membership, requested?: number[]): Promise<ProjectRow[]> {
  let rows: ProjectRow[];
  if (seesAllProjects(m)) {
    rows = await orm.select().from(projects).where(eq(projects.organizationId, m.organizationId)).orderBy(asc(projects.slug));
  } else if (m.teamIds.length === 0) {
    rows = [];
  } else {
    rows = await orm
      .selectDistinct({ p: projects })
      .from(projects)
      .innerJoin(projectTeams, eq(projectTeams.projectId, projects.id))
      .where(and(eq(projects.organizationId, m.organizationId), inArray(projectTeams.teamId, m.teamIds)))
      .orderBy(asc(projects.slug))
      .then((r) => r.map((x) => x.p));
  }
  if (requested && requested.length > 0) {
    const want = new Set(requested);
    const out = rows.filter((p) => want.has(p.id));
    if (out.length !== want.size) throw new ApiError(403, 'you do not have access to one of the requested projects');
    return out;
  }
  return rows;
}

/** Integer query parameter with bounds, or a 400 naming it. */
export function intParam(c: ApiContext, name: string, dflt: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, `${name} must be an integer from ${min} to ${max}`);
  return n;
}
