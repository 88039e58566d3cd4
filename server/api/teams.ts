// Teams (Sentry's /organizations/{org}/teams/ and /teams/{org}/{team}/ APIs) and which projects they
// own. A member (role member) sees exactly the projects of their teams (auth/access.ts canViewProject).
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { addProjectTeam, createTeam, deleteTeam, listMembers, removeProjectTeam } from '../auth/members.ts';
import { slugify } from '../bootstrap.ts';
import type { Orm } from '../db/client.ts';
import { teamMembers } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { getOrganization, getTeam, serializeProject, serializeTeam, teamsOfProjects, type TeamRow } from '../queries/projects.ts';
import { ADMIN_ROLES, route, type ApiEnv } from './access.ts';
import { serializeMember } from './members.ts';
import { errorResponses, json, noContent, OrgParams, ProjectParams, ProjectSchema, TeamParams, TeamSchema } from './schemas.ts';

const tags = ['Teams'];

const slugSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only, starting with a letter or digit')
  .refine((s) => !/^\d+$/.test(s), 'must not be only digits');
const CreateBody = z
  .object({ name: z.string().trim().min(1).max(64).optional(), slug: slugSchema.optional() })
  .refine((b) => b.name || b.slug, 'name: a name or a slug is required');
const ProjectTeamParams = ProjectParams.extend({ team: z.string().min(1).max(100).openapi({ param: { name: 'team', in: 'path' }, example: 'faultline' }) });

const createTeamRoute = route({ kind: 'org', scope: 'team:write', roles: ADMIN_ROLES }, {
  method: 'post',
  path: '/api/0/organizations/{org}/teams',
  tags,
  summary: 'Create a team {name?, slug?}; the creator joins it',
  request: { params: OrgParams, body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
  responses: { 201: json(TeamSchema, 'The new team'), 409: json(z.object({ detail: z.string() }), 'Slug taken'), ...errorResponses },
});
const getTeamRoute = route({ kind: 'team', scope: 'team:read' }, {
  method: 'get',
  path: '/api/0/teams/{org}/{team}',
  tags,
  summary: 'One team',
  request: { params: TeamParams },
  responses: { 200: json(TeamSchema, 'The team'), ...errorResponses },
});
const deleteTeamRoute = route({ kind: 'team', scope: 'team:admin', roles: ADMIN_ROLES }, {
  method: 'delete',
  path: '/api/0/teams/{org}/{team}',
  tags,
  summary: 'Delete a team; its projects stay (visible to owners and admins, and to members of their other teams)',
  request: { params: TeamParams },
  responses: { 204: noContent('Deleted'), ...errorResponses },
});
const teamMembersRoute = route({ kind: 'team', scope: 'team:read' }, {
  method: 'get',
  path: '/api/0/teams/{org}/{team}/members',
  tags,
  summary: 'Members of a team',
  request: { params: TeamParams },
  responses: { 200: json(z.array(z.object({}).loose()), 'Members'), ...errorResponses },
});
const addProjectRoute = route({ kind: 'project', scope: 'project:write', roles: ADMIN_ROLES }, {
  method: 'post',
  path: '/api/0/projects/{org}/{project}/teams/{team}',
  tags,
  summary: "Give a team access to a project (its members then see it)",
  request: { params: ProjectTeamParams },
  responses: { 201: json(ProjectSchema, 'The project with its teams'), ...errorResponses },
});
const removeProjectRoute = route({ kind: 'project', scope: 'project:write', roles: ADMIN_ROLES }, {
  method: 'delete',
  path: '/api/0/projects/{org}/{project}/teams/{team}',
  tags,
  summary: "Take a team's access to a project away",
  request: { params: ProjectTeamParams },
  responses: { 200: json(ProjectSchema, 'The project with its teams'), ...errorResponses },
});

export function teamRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  async function teamDetails(orm: Orm, team: TeamRow, memberId: number) {
    const [row] = await orm
      .select({ n: sql<number>`count(*)::int`, mine: sql<boolean>`coalesce(bool_or(${teamMembers.memberId} = ${memberId}), false)` })
      .from(teamMembers)
      .where(eq(teamMembers.teamId, team.id));
    return { ...serializeTeam(team), memberCount: row.n, isMember: row.mine };
  }

  r.openapi(createTeamRoute, async (c) => {
    const orm = c.get('app').db.orm;
    const member = c.get('member');
    const input = c.req.valid('json');
    const slug = input.slug ?? slugify(input.name!);
    if (/^\d+$/.test(slug)) throw new ApiError(400, 'slug: must not be only digits');
    const team = await createTeam(orm, member.organizationId, { name: input.name ?? slug, slug });
    await orm.insert(teamMembers).values({ teamId: team.id, memberId: member.memberId });
    return c.json(await teamDetails(orm, team, member.memberId), 201);
  });

  r.openapi(getTeamRoute, async (c) => c.json(await teamDetails(c.get('app').db.orm, c.get('team'), c.get('member').memberId), 200));

  r.openapi(deleteTeamRoute, async (c) => {
    await deleteTeam(c.get('app').db.orm, c.get('team').id);
    return c.body(null, 204);
  });

  r.openapi(teamMembersRoute, async (c) => {
    const orm = c.get('app').db.orm;
    const ids = await orm.select({ id: teamMembers.memberId }).from(teamMembers).where(eq(teamMembers.teamId, c.get('team').id));
    const members = ids.length ? await listMembers(orm, c.get('member').organizationId, ids.map((m) => m.id)) : [];
    return c.json(members.map(serializeMember), 200);
  });

  async function projectTeam(c: Context<ApiEnv>, add: boolean) {
    const orm = c.get('app').db.orm;
    const member = c.get('member');
    const project = c.get('project');
    const team = await getTeam(orm, member.organizationId, c.req.param('team') ?? '');
    if (!team) throw new ApiError(404, 'team not found');
    if (add) await addProjectTeam(orm, project.id, team.id);
    else if (!(await removeProjectTeam(orm, project.id, team.id))) throw new ApiError(404, 'the team has no access to this project');
    const teams = await teamsOfProjects(orm, [project.id]);
    return serializeProject(project, await getOrganization(orm, member.organizationId), teams.get(project.id) ?? []);
  }

  r.openapi(addProjectRoute, async (c) => c.json(await projectTeam(c, true), 201));
  r.openapi(removeProjectRoute, async (c) => c.json(await projectTeam(c, false), 200));

  return r;
}
