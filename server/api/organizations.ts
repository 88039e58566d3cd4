// Organizations and their projects and teams.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { organizationMembers } from '../db/schema.ts';
import { getOrganization, listOrganizationsForUser, listTeams, serializeOrganization, serializeProject, serializeTeam, teamsOfProjects } from '../queries/projects.ts';
import { recentTagKeys, topTagValues } from '../queries/tags.ts';
import { route, type ApiEnv } from './access.ts';
import { visibleProjects } from './context.ts';
import { errorResponses, json, OrganizationSchema, OrgParams, ProjectSchema, TeamSchema } from './schemas.ts';

const tags = ['Organizations'];

const listOrganizations = route({ kind: 'user', scope: 'org:read' }, {
  method: 'get',
  path: '/api/0/organizations',
  tags,
  summary: 'Organizations you belong to',
  responses: { 200: json(z.array(OrganizationSchema), 'Organizations'), ...errorResponses },
});

const getOrganizationRoute = route({ kind: 'org', scope: 'org:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}',
  tags,
  summary: 'One organization',
  request: { params: OrgParams },
  responses: { 200: json(OrganizationSchema, 'The organization'), ...errorResponses },
});

const listProjects = route({ kind: 'org', scope: 'project:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/projects',
  tags,
  summary: 'Projects (services) of an organization that you can see',
  request: { params: OrgParams },
  responses: { 200: json(z.array(ProjectSchema), 'Projects'), ...errorResponses },
});

const listTeamsRoute = route({ kind: 'org', scope: 'team:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/teams',
  tags,
  summary: 'Teams of an organization',
  request: { params: OrgParams },
  responses: { 200: json(z.array(TeamSchema), 'Teams'), ...errorResponses },
});

const TagKeyParams = OrgParams.extend({ key: z.string().min(1).max(200).openapi({ param: { name: 'key', in: 'path' }, example: 'environment' }) });

const listEnvironments = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/environments',
  tags,
  summary: 'Environments seen in the projects you can see, most events first',
  request: { params: OrgParams },
  responses: { 200: json(z.array(z.object({ name: z.string() })), 'Environments'), ...errorResponses },
});

const listTagKeys = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/tags',
  tags,
  summary: 'Tag keys seen on recently active issues (search suggestions)',
  request: { params: OrgParams },
  responses: { 200: json(z.array(z.object({ key: z.string(), name: z.string() })), 'Tag keys'), ...errorResponses },
});

const listTagValues = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/tags/{key}/values',
  tags,
  summary: 'The most frequent values of a tag key, optionally starting with `query`',
  request: { params: TagKeyParams, query: z.object({ query: z.string().max(200).optional() }) },
  responses: { 200: json(z.array(z.object({ value: z.string(), count: z.number() })), 'Values'), ...errorResponses },
});

export function organizationRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  r.openapi(listOrganizations, async (c) => {
    const orm = c.get('app').db.orm;
    const memberships = await orm.select({ id: organizationMembers.organizationId }).from(organizationMembers).where(eq(organizationMembers.userId, c.get('actor')!.userId));
    const orgs = await listOrganizationsForUser(orm, memberships.map((m) => m.id));
    return c.json(orgs.map(serializeOrganization), 200);
  });

  r.openapi(getOrganizationRoute, async (c) => {
    return c.json(serializeOrganization(await getOrganization(c.get('app').db.orm, c.get('member').organizationId)), 200);
  });

  r.openapi(listProjects, async (c) => {
    const orm = c.get('app').db.orm;
    const projects = await visibleProjects(orm, c.get('member'));
    const teams = await teamsOfProjects(orm, projects.map((p) => p.id));
    return c.json(projects.map((p) => serializeProject(p, null, teams.get(p.id) ?? [])), 200);
  });

  r.openapi(listTeamsRoute, async (c) => {
    return c.json((await listTeams(c.get('app').db.orm, c.get('member').organizationId)).map(serializeTeam), 200);
  });

  r.openapi(listEnvironments, async (c) => {
    const { db } = c.get('app');
    const projects = await visibleProjects(db.orm, c.get('member'));
    const values = await topTagValues(db, projects.map((p) => p.id), 'environment', '', 100);
    return c.json(values.map((v) => ({ name: v.value })), 200);
  });

  r.openapi(listTagKeys, async (c) => {
    const { db } = c.get('app');
    const projects = await visibleProjects(db.orm, c.get('member'));
    const keys = await recentTagKeys(db, projects.map((p) => p.id));
    return c.json(keys.map((key) => ({ key, name: key })), 200);
  });

  r.openapi(listTagValues, async (c) => {
    const { db } = c.get('app');
    const projects = await visibleProjects(db.orm, c.get('member'));
    return c.json(await topTagValues(db, projects.map((p) => p.id), c.req.valid('param').key, c.req.valid('query').query ?? ''), 200);
  });

  return r;
}
