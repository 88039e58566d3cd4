// Projects (one per service). Their DSN keys: keys.ts.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { slugify } from '../bootstrap.ts';
import { projects as projectsTable } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { createProject, getOrganization, projectSlugTaken, serializeProject, teamsOfProjects } from '../queries/projects.ts';
import { ADMIN_ROLES, route, type ApiEnv } from './access.ts';
import { errorResponses, json, ProjectParams, ProjectSchema, TeamParams } from './schemas.ts';

const tags = ['Projects'];

const slugSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only, starting with a letter or digit')
  .refine((s) => !/^\d+$/.test(s), 'must not be only digits');

const CreateProjectBody = z.object({
  name: z.string().trim().min(1).max(64),
  slug: slugSchema.optional(),
  platform: z.string().max(64).nullish(),
});

const getProjectRoute = route({ kind: 'project', scope: 'project:read' }, {
  method: 'get',
  path: '/api/0/projects/{org}/{project}',
  tags,
  summary: 'One project',
  request: { params: ProjectParams },
  responses: { 200: json(ProjectSchema, 'The project'), ...errorResponses },
});

const createProjectRoute = route({ kind: 'team', scope: 'project:write', roles: ADMIN_ROLES }, {
  method: 'post',
  path: '/api/0/teams/{org}/{team}/projects',
  tags,
  summary: 'Create a project (a service) owned by a team; it gets a DSN key',
  request: { params: TeamParams, body: { content: { 'application/json': { schema: CreateProjectBody } }, required: true } },
  responses: { 201: json(ProjectSchema, 'The new project'), 409: json(z.object({ detail: z.string() }), 'Slug taken'), ...errorResponses },
});

const UpdateProjectBody = z
  .object({
    name: z.string().trim().min(1).max(64).optional(),
    resolveAgeHours: z
      .number()
      .int()
      .min(0)
      .max(8760)
      .nullable()
      .optional()
      .openapi({ description: 'Resolve issues after this many hours without events; 0 or null: never (the default)' }),
    resolveAge: z.number().int().min(0).max(8760).optional().openapi({ description: "Sentry's name for resolveAgeHours" }),
  })
  .openapi('ProjectUpdate');

const updateProjectRoute = route({ kind: 'project', scope: 'project:write', roles: ADMIN_ROLES }, {
  method: 'put',
  path: '/api/0/projects/{org}/{project}',
  tags,
  summary: "Change a project's name or auto-resolve age (resolveAgeHours)",
  request: { params: ProjectParams, body: { content: { 'application/json': { schema: UpdateProjectBody } }, required: true } },
  responses: { 200: json(ProjectSchema, 'The project'), ...errorResponses },
});

export function projectRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  r.openapi(getProjectRoute, async (c) => {
    const orm = c.get('app').db.orm;
    const project = c.get('project');
    const teams = await teamsOfProjects(orm, [project.id]);
    return c.json(serializeProject(project, await getOrganization(orm, c.get('member').organizationId), teams.get(project.id) ?? []), 200);
  });

  r.openapi(updateProjectRoute, async (c) => {
    const orm = c.get('app').db.orm;
    const input = c.req.valid('json');
    const age = input.resolveAgeHours !== undefined ? input.resolveAgeHours : input.resolveAge;
    const set: Partial<typeof projectsTable.$inferInsert> = {};
    if (input.name !== undefined) set.name = input.name;
    if (age !== undefined) set.resolveAgeHours = age === 0 ? null : age;
    if (Object.keys(set).length === 0) throw new ApiError(400, 'nothing to change: send name or resolveAgeHours');
    const [project] = await orm.update(projectsTable).set(set).where(eq(projectsTable.id, c.get('project').id)).returning();
    const teams = await teamsOfProjects(orm, [project.id]);
    return c.json({ ...serializeProject(project, await getOrganization(orm, c.get('member').organizationId), teams.get(project.id) ?? []), resolveAgeHours: project.resolveAgeHours ?? 0, resolveAge: project.resolveAgeHours ?? 0 }, 200);
  });

  r.openapi(createProjectRoute, async (c) => {
    const { db } = c.get('app');
    const member = c.get('member');
    const team = c.get('team');
    const input = c.req.valid('json');
    const slug = input.slug ?? slugify(input.name);
    if (/^\d+$/.test(slug)) throw new ApiError(400, 'slug: must not be only digits');
    if (await projectSlugTaken(db.orm, member.organizationId, slug)) throw new ApiError(409, `a project with slug "${slug}" already exists`);
    const project = await createProject(db, { organizationId: member.organizationId, teamId: team.id, name: input.name, slug, platform: input.platform ?? null });
    return c.json(serializeProject(project, await getOrganization(db.orm, member.organizationId), [team]), 201);
  });

  return r;
}
