// Organization members (Sentry's /organizations/{org}/members/ API) and their team memberships.
// Creating a member creates the user (email + password) when the email is new. Only owners grant or
// take away the owner role, and the last owner can be neither demoted nor removed (auth/members.ts).
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { and, eq, inArray } from 'drizzle-orm';
import type { Context } from 'hono';
import { addMember, addTeamMember, getMember, listMembers, removeMember, removeTeamMember, setMemberRole, type MemberWithUser } from '../auth/members.ts';
import { ROLES } from '../auth/roles.ts';
import { serializeUser } from '../auth/users.ts';
import { teams } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { serializeTeam } from '../queries/projects.ts';
import { ADMIN_ROLES, route, type ApiEnv } from './access.ts';
import { UserSchema } from './auth.ts';
import { errorResponses, json, noContent, OrgParams, TeamSchema } from './schemas.ts';

const tags = ['Members'];
const RoleSchema = z.enum(ROLES as [string, ...string[]]).openapi({ description: 'owner, admin or member' });

const memberId = z
  .string()
  .regex(/^(\d{1,10}|me)$/, 'a member id (or "me")')
  .openapi({ param: { name: 'memberId', in: 'path' }, example: '1' });
const MemberParams = OrgParams.extend({ memberId });
const MemberTeamParams = MemberParams.extend({ team: z.string().min(1).max(100).openapi({ param: { name: 'team', in: 'path' }, example: 'faultline' }) });

const MemberSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
    orgRole: z.string(),
    user: UserSchema,
    teams: z.array(z.string()).openapi({ description: 'Team slugs' }),
    pending: z.boolean(),
    dateCreated: z.string(),
  })
  .loose()
  .openapi('Member');

const CreateBody = z.object({
  email: z.email().max(320),
  role: RoleSchema.default('member'),
  password: z.string().min(8).max(1024).optional().openapi({ description: 'For a new user; generated (and returned once) when absent' }),
  name: z.string().max(100).optional(),
  teams: z.array(z.string().min(1).max(100)).max(100).optional().openapi({ description: 'Team slugs to add the member to' }),
});
const UpdateBody = z.object({ role: RoleSchema.optional(), orgRole: RoleSchema.optional() }).refine((b) => b.role || b.orgRole, 'role: required');

const listRoute = route({ kind: 'org', scope: 'member:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/members',
  tags,
  summary: 'Members of an organization with their roles and teams',
  request: { params: OrgParams },
  responses: { 200: json(z.array(MemberSchema), 'Members'), ...errorResponses },
});
const createMemberRoute = route({ kind: 'org', scope: 'member:write', roles: ADMIN_ROLES }, {
  method: 'post',
  path: '/api/0/organizations/{org}/members',
  tags,
  summary: 'Add a member (creating the user if the email is new); only owners may add owners',
  request: { params: OrgParams, body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
  responses: { 201: json(MemberSchema.extend({ password: z.string().optional() }), 'The new member; `password` only when generated'), 409: json(z.object({ detail: z.string() }), 'Already a member'), ...errorResponses },
});
const getRoute = route({ kind: 'org', scope: 'member:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/members/{memberId}',
  tags,
  summary: 'One member',
  request: { params: MemberParams },
  responses: { 200: json(MemberSchema, 'The member'), ...errorResponses },
});
const updateRoute = route({ kind: 'org', scope: 'member:write', roles: ADMIN_ROLES }, {
  method: 'put',
  path: '/api/0/organizations/{org}/members/{memberId}',
  tags,
  summary: "Change a member's role; only owners grant or change the owner role; the last owner stays",
  request: { params: MemberParams, body: { content: { 'application/json': { schema: UpdateBody } }, required: true } },
  responses: { 200: json(MemberSchema, 'The member'), ...errorResponses },
});
const deleteRoute = route({ kind: 'org', scope: 'member:admin', roles: ADMIN_ROLES }, {
  method: 'delete',
  path: '/api/0/organizations/{org}/members/{memberId}',
  tags,
  summary: 'Remove a member (the user stays); only owners remove owners; never the last owner',
  request: { params: MemberParams },
  responses: { 204: noContent('Removed'), ...errorResponses },
});
const addTeamRoute = route({ kind: 'team', scope: 'team:write', roles: ADMIN_ROLES }, {
  method: 'post',
  path: '/api/0/organizations/{org}/members/{memberId}/teams/{team}',
  tags,
  summary: 'Add a member to a team',
  request: { params: MemberTeamParams },
  responses: { 201: json(TeamSchema, 'Added'), 204: noContent('Already in the team'), ...errorResponses },
});
const removeTeamRoute = route({ kind: 'team', scope: 'team:write', roles: ADMIN_ROLES }, {
  method: 'delete',
  path: '/api/0/organizations/{org}/members/{memberId}/teams/{team}',
  tags,
  summary: 'Remove a member from a team',
  request: { params: MemberTeamParams },
  responses: { 200: json(TeamSchema, 'Removed'), ...errorResponses },
});

export function serializeMember(m: MemberWithUser) {
  return {
    id: String(m.member.id),
    email: m.user.email,
    name: m.user.name || m.user.email,
    role: m.member.role,
    orgRole: m.member.role,
    roleName: m.member.role[0].toUpperCase() + m.member.role.slice(1),
    user: serializeUser(m.user),
    teams: m.teams.map((t) => t.slug),
    teamRoles: m.teams.map((t) => ({ teamSlug: t.slug, role: null })),
    pending: false,
    expired: false,
    dateCreated: m.member.createdAt.toISOString(),
  };
}

type Ctx = Context<ApiEnv>;

/** The member id in the path ("me": the caller's own membership). */
function targetId(c: Ctx): number {
  const raw = c.req.param('memberId') ?? '';
  if (raw === 'me') return c.get('member').memberId;
  if (!/^\d{1,10}$/.test(raw)) throw new ApiError(400, 'memberId: a member id (or "me")');
  return Number(raw);
}

export function memberRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  r.openapi(listRoute, async (c) => c.json((await listMembers(c.get('app').db.orm, c.get('member').organizationId)).map(serializeMember), 200));

  r.openapi(createMemberRoute, async (c) => {
    const { db } = c.get('app');
    const me = c.get('member');
    const input = c.req.valid('json');
    if (input.role === 'owner' && me.role !== 'owner') throw new ApiError(403, 'only an owner may add owners');
    let teamIds: number[] = [];
    if (input.teams?.length) {
      const found = await db.orm.select().from(teams).where(and(eq(teams.organizationId, me.organizationId), inArray(teams.slug, input.teams)));
      const missing = input.teams.filter((s) => !found.some((t) => t.slug === s));
      if (missing.length > 0) throw new ApiError(400, `teams: no team ${missing.join(', ')} in this organization`);
      teamIds = found.map((t) => t.id);
    }
    const added = await addMember(db, { organizationId: me.organizationId, email: input.email, password: input.password, name: input.name, role: input.role as never, teamIds });
    const member = await getMember(db.orm, me.organizationId, added.memberId);
    return c.json({ ...serializeMember(member), ...(added.generatedPassword ? { password: added.generatedPassword } : {}) }, 201);
  });

  r.openapi(getRoute, async (c) => c.json(serializeMember(await getMember(c.get('app').db.orm, c.get('member').organizationId, targetId(c))), 200));

  r.openapi(updateRoute, async (c) => {
    const { db } = c.get('app');
    const me = c.get('member');
    const body = c.req.valid('json');
    const id = targetId(c);
    await setMemberRole(db, me.organizationId, id, (body.orgRole ?? body.role) as never, me.role);
    return c.json(serializeMember(await getMember(db.orm, me.organizationId, id)), 200);
  });

  r.openapi(deleteRoute, async (c) => {
    const me = c.get('member');
    await removeMember(c.get('app').db, me.organizationId, targetId(c), me.role);
    return c.body(null, 204);
  });

  r.openapi(addTeamRoute, async (c) => {
    const orm = c.get('app').db.orm;
    const target = await getMember(orm, c.get('member').organizationId, targetId(c));
    const team = c.get('team');
    if (!(await addTeamMember(orm, team.id, target.member.id))) return c.body(null, 204);
    return c.json(serializeTeam(team), 201);
  });

  r.openapi(removeTeamRoute, async (c) => {
    const orm = c.get('app').db.orm;
    const target = await getMember(orm, c.get('member').organizationId, targetId(c));
    const team = c.get('team');
    if (!(await removeTeamMember(orm, team.id, target.member.id))) throw new ApiError(404, 'the member is not in this team');
    return c.json(serializeTeam(team), 200);
  });

  return r;
}
