// Organization members and teams: the writes behind the members and teams API and the CLI.
// Rules that hold whatever the caller: only owners make or unmake owners, and an organization never
// loses its last owner (checked under a lock on its owner rows, so two concurrent demotions cannot
// both pass).
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database, Orm, Tx } from '../db/client.ts';
import { organizationMembers, organizations, projectTeams, teamMembers, teams, users } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Role } from './access.ts';
import { findOrCreateUser, type UserRow } from './users.ts';

export type MemberRow = typeof organizationMembers.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;

export interface MemberWithUser {
  member: MemberRow;
  user: UserRow;
  teams: TeamRow[];
}

export async function organizationBySlug(orm: Orm, slugOrId: string) {
  const [org] = await orm
    .select()
    .from(organizations)
    .where(/^\d+$/.test(slugOrId) ? eq(organizations.id, Number(slugOrId)) : eq(organizations.slug, slugOrId))
    .limit(1);
  return org;
}

export async function listMembers(orm: Orm, organizationId: number, memberIds?: number[]): Promise<MemberWithUser[]> {
  const rows = await orm
    .select({ member: organizationMembers, user: users })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .where(and(eq(organizationMembers.organizationId, organizationId), memberIds ? inArray(organizationMembers.id, memberIds) : undefined))
    .orderBy(asc(users.email));
  if (rows.length === 0) return [];
  const teamRows = await orm
    .select({ memberId: teamMembers.memberId, team: teams })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(inArray(teamMembers.memberId, rows.map((r) => r.member.id)))
    .orderBy(asc(teams.slug));
  return rows.map((r) => ({ ...r, teams: teamRows.filter((t) => t.memberId === r.member.id).map((t) => t.team) }));
}

export async function getMember(orm: Orm, organizationId: number, memberId: number): Promise<MemberWithUser> {
  const [found] = await listMembers(orm, organizationId, [memberId]);
  if (!found) throw notFound('member');
  return found;
}

/** Adds a user (created with the password, or a generated one, if the email is new) to an organization. */
export async function addMember(
  db: Database,
  input: { organizationId: number; email: string; password?: string | null; name?: string | null; role: Role; teamIds?: number[] },
): Promise<{ memberId: number; userCreated: boolean; generatedPassword: string | null }> {
  return db.begin(async (tx) => {
    const { user, created, generatedPassword } = await findOrCreateUser(tx.orm, input);
    const [member] = await tx.orm
      .insert(organizationMembers)
      .values({ organizationId: input.organizationId, userId: user.id, role: input.role })
      .onConflictDoNothing()
      .returning();
    if (!member) throw new ApiError(409, `${user.email} is already a member of this organization`);
    for (const teamId of input.teamIds ?? []) await tx.orm.insert(teamMembers).values({ teamId, memberId: member.id }).onConflictDoNothing();
    return { memberId: member.id, userCreated: created, generatedPassword };
  });
}

/** Locks the organization's owner rows and returns their member ids. */
async function lockOwners(tx: Tx, organizationId: number): Promise<number[]> {
  const rows = await tx.query<{ id: number }>(`SELECT id FROM organization_members WHERE organization_id = $1 AND role = 'owner' ORDER BY id FOR UPDATE`, [organizationId]);
  return rows.map((r) => r.id);
}

function checkOwnerRules(actorRole: Role, target: MemberRow, newRole: Role | null, owners: number[]): void {
  if ((target.role === 'owner' || newRole === 'owner') && actorRole !== 'owner') throw new ApiError(403, 'only an owner may grant, change or remove the owner role');
  if (target.role === 'owner' && newRole !== 'owner' && owners.length <= 1 && owners.includes(target.id)) {
    throw new ApiError(400, 'an organization needs at least one owner: make someone else owner first');
  }
}

export async function setMemberRole(db: Database, organizationId: number, memberId: number, role: Role, actorRole: Role): Promise<void> {
  await db.begin(async (tx) => {
    const owners = await lockOwners(tx, organizationId);
    const [target] = await tx.orm.select().from(organizationMembers).where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.id, memberId))).limit(1);
    if (!target) throw notFound('member');
    checkOwnerRules(actorRole, target, role, owners);
    await tx.orm.update(organizationMembers).set({ role }).where(eq(organizationMembers.id, memberId));
  });
}

/** Removes a member (and with it their team memberships); the user stays. */
export async function removeMember(db: Database, organizationId: number, memberId: number, actorRole: Role): Promise<void> {
  await db.begin(async (tx) => {
    const owners = await lockOwners(tx, organizationId);
    const [target] = await tx.orm.select().from(organizationMembers).where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.id, memberId))).limit(1);
    if (!target) throw notFound('member');
    checkOwnerRules(actorRole, target, null, owners);
    await tx.orm.delete(organizationMembers).where(eq(organizationMembers.id, memberId));
  });
}

// ---------------------------------------------------------------- teams

export async function createTeam(orm: Orm, organizationId: number, input: { name: string; slug: string }): Promise<TeamRow> {
  const [team] = await orm.insert(teams).values({ organizationId, name: input.name, slug: input.slug }).onConflictDoNothing().returning();
  if (!team) throw new ApiError(409, `a team with slug "${input.slug}" already exists`);
  return team;
}

export async function deleteTeam(orm: Orm, teamId: number): Promise<void> {
  await orm.delete(teams).where(eq(teams.id, teamId));
}

/** Adds a member to a team; false when they were in it already. */
export async function addTeamMember(orm: Orm, teamId: number, memberId: number): Promise<boolean> {
  const rows = await orm.insert(teamMembers).values({ teamId, memberId }).onConflictDoNothing().returning();
  return rows.length > 0;
}

export async function removeTeamMember(orm: Orm, teamId: number, memberId: number): Promise<boolean> {
  const rows = await orm.delete(teamMembers).where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.memberId, memberId))).returning();
  return rows.length > 0;
}

export async function addProjectTeam(orm: Orm, projectId: number, teamId: number): Promise<boolean> {
  const rows = await orm.insert(projectTeams).values({ projectId, teamId }).onConflictDoNothing().returning();
  return rows.length > 0;
}

export async function removeProjectTeam(orm: Orm, projectId: number, teamId: number): Promise<boolean> {
  const rows = await orm.delete(projectTeams).where(and(eq(projectTeams.projectId, projectId), eq(projectTeams.teamId, teamId))).returning();
  return rows.length > 0;
}
