// GET /organizations/, /organizations/{org}/, /organizations/{org}/projects/, /organizations/{org}/teams/
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppContext } from '../app.ts';
import { organizationMembers } from '../db/schema.ts';
import { getOrganization, listOrganizationsForUser, listTeams, serializeOrganization, serializeProject, serializeTeam, teamsOfProjects } from '../queries/projects.ts';
import { orgFor, requireScope, visibleProjects, type ApiEnv } from './context.ts';

export function organizationRoutes(ctx: AppContext): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const orm = ctx.db.orm;

  r.get('/organizations', async (c) => {
    requireScope(c, 'org:read');
    const memberships = await orm.select({ id: organizationMembers.organizationId }).from(organizationMembers).where(eq(organizationMembers.userId, c.get('actor').userId));
    const orgs = await listOrganizationsForUser(orm, memberships.map((m) => m.id));
    return c.json(orgs.map(serializeOrganization));
  });

  r.get('/organizations/:org', async (c) => {
    const m = await orgFor(c, c.req.param('org'), 'org:read');
    return c.json(serializeOrganization(await getOrganization(orm, m.organizationId)));
  });

  r.get('/organizations/:org/projects', async (c) => {
    const m = await orgFor(c, c.req.param('org'), 'project:read');
    const projects = await visibleProjects(orm, m);
    const teams = await teamsOfProjects(orm, projects.map((p) => p.id));
    return c.json(projects.map((p) => serializeProject(p, null, teams.get(p.id) ?? [])));
  });

  r.get('/organizations/:org/teams', async (c) => {
    const m = await orgFor(c, c.req.param('org'), 'team:read');
    return c.json((await listTeams(orm, m.organizationId)).map(serializeTeam));
  });

  return r;
}
