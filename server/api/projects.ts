// Projects (one per service) and their DSN keys.
//   GET  /projects/{org}/{project}/
//   POST /teams/{org}/{team}/projects/          {name, slug?, platform?}
//   GET  /projects/{org}/{project}/keys/
//   POST /projects/{org}/{project}/keys/        {name?}
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../app.ts';
import { canManageProjects } from '../auth/access.ts';
import { newDsnKey } from '../auth/tokens.ts';
import { slugify } from '../bootstrap.ts';
import { projectKeys } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { listProjectKeys, serializeKey } from '../queries/keys.ts';
import { createProject, getOrganization, getTeam, projectSlugTaken, serializeProject, teamsOfProjects } from '../queries/projects.ts';
import { orgFor, projectFor, type ApiEnv } from './context.ts';
import { jsonBody } from './validate.ts';

const slugSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only, starting with a letter or digit')
  .refine((s) => !/^\d+$/.test(s), 'must not be only digits');

const createProjectSchema = z.object({
  name: z.string().trim().min(1).max(64),
  slug: slugSchema.optional(),
  platform: z.string().max(64).nullish(),
});

const createKeySchema = z.object({ name: z.string().trim().min(1).max(64).optional() });

export function projectRoutes(ctx: AppContext): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const orm = ctx.db.orm;
  const publicUrl = ctx.config.publicUrl;

  r.get('/projects/:org/:project', async (c) => {
    const { project, member } = await projectFor(c, c.req.param('org'), c.req.param('project'), 'project:read');
    const teams = await teamsOfProjects(orm, [project.id]);
    return c.json(serializeProject(project, await getOrganization(orm, member.organizationId), teams.get(project.id) ?? []));
  });

  r.post('/teams/:org/:team/projects', async (c) => {
    const member = await orgFor(c, c.req.param('org'), 'project:write');
    if (!canManageProjects(member)) throw new ApiError(403, 'only owners and admins can create projects');
    const team = await getTeam(orm, member.organizationId, c.req.param('team'));
    if (!team) throw notFound('team');
    const input = await jsonBody(c, createProjectSchema);
    const slug = input.slug ?? slugify(input.name);
    if (/^\d+$/.test(slug)) throw new ApiError(400, 'slug: must not be only digits');
    if (await projectSlugTaken(orm, member.organizationId, slug)) throw new ApiError(409, `a project with slug "${slug}" already exists`);
    const project = await createProject(ctx.db, { organizationId: member.organizationId, teamId: team.id, name: input.name, slug, platform: input.platform ?? null });
    return c.json(serializeProject(project, await getOrganization(orm, member.organizationId), [team]), 201);
  });

  r.get('/projects/:org/:project/keys', async (c) => {
    const { project } = await projectFor(c, c.req.param('org'), c.req.param('project'), 'project:read');
    const keys = await listProjectKeys(orm, project.id);
    return c.json(keys.map((k) => serializeKey(k, publicUrl)));
  });

  r.post('/projects/:org/:project/keys', async (c) => {
    const { project, member } = await projectFor(c, c.req.param('org'), c.req.param('project'), 'project:write');
    if (!canManageProjects(member)) throw new ApiError(403, 'only owners and admins can create keys');
    const input = await jsonBody(c, createKeySchema);
    const [key] = await orm
      .insert(projectKeys)
      .values({ projectId: project.id, label: input.name ?? 'Default', publicKey: newDsnKey(), secretKey: newDsnKey() })
      .returning();
    return c.json(serializeKey(key, publicUrl), 201);
  });

  return r;
}
