// Projects (one per service) and their DSN keys.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { newDsnKey } from '../auth/tokens.ts';
import { slugify } from '../bootstrap.ts';
import { projectKeys } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { listProjectKeys, serializeKey } from '../queries/keys.ts';
import { createProject, getOrganization, projectSlugTaken, serializeProject, teamsOfProjects } from '../queries/projects.ts';
import { ADMIN_ROLES, route, type ApiEnv } from './access.ts';
import { errorResponses, json, ProjectKeySchema, ProjectParams, ProjectSchema, TeamParams } from './schemas.ts';

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

const CreateKeyBody = z.object({ name: z.string().trim().min(1).max(64).optional() });

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

const listKeysRoute = route({ kind: 'project', scope: 'project:read' }, {
  method: 'get',
  path: '/api/0/projects/{org}/{project}/keys',
  tags,
  summary: "A project's DSN keys, each with dsn.public",
  request: { params: ProjectParams },
  responses: { 200: json(z.array(ProjectKeySchema), 'Keys'), ...errorResponses },
});

const createKeyRoute = route({ kind: 'project', scope: 'project:write', roles: ADMIN_ROLES }, {
  method: 'post',
  path: '/api/0/projects/{org}/{project}/keys',
  tags,
  summary: 'Create a DSN key',
  request: { params: ProjectParams, body: { content: { 'application/json': { schema: CreateKeyBody } }, required: false } },
  responses: { 201: json(ProjectKeySchema, 'The new key'), ...errorResponses },
});

export function projectRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  r.openapi(getProjectRoute, async (c) => {
    const orm = c.get('app').db.orm;
    const project = c.get('project');
    const teams = await teamsOfProjects(orm, [project.id]);
    return c.json(serializeProject(project, await getOrganization(orm, c.get('member').organizationId), teams.get(project.id) ?? []), 200);
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

  r.openapi(listKeysRoute, async (c) => {
    const { db, config } = c.get('app');
    const keys = await listProjectKeys(db.orm, c.get('project').id);
    return c.json(keys.map((k) => serializeKey(k, config.publicUrl)), 200);
  });

  r.openapi(createKeyRoute, async (c) => {
    const { db, config } = c.get('app');
    const input = (c.req.valid('json') as z.infer<typeof CreateKeyBody> | undefined) ?? {};
    const [key] = await db.orm
      .insert(projectKeys)
      .values({ projectId: c.get('project').id, label: input.name ?? 'Default', publicKey: newDsnKey(), secretKey: newDsnKey() })
      .returning();
    return c.json(serializeKey(key, config.publicUrl), 201);
  });

  return r;
}
