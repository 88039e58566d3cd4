// Who may do what, as plain predicates called from one place (api/context.ts). Style habit 9.
import { and, eq, inArray } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { apiTokens, organizationMembers, organizations, projectTeams, teamMembers, users } from '../db/schema.ts';
import { hashToken } from './tokens.ts';

export type Role = 'owner' | 'admin' | 'member';

export interface Actor {
  /** How the request authenticated: an API token (Authorization: Bearer) or the UI's session cookie. */
  kind: 'token' | 'session';
  userId: number;
  email: string;
  /** Token scopes; a signed-in session has every scope of its role (auth/roles.ts). */
  scopes: ReadonlySet<string>;
  tokenId: number | null;
  sessionId: number | null;
}

/** A token's last use is written at most this often (one UPDATE a minute per token, not per request). */
const LAST_USED_EVERY_MS = 60_000;

export interface Membership {
  organizationId: number;
  organizationSlug: string;
  memberId: number;
  role: Role;
  teamIds: number[];
}

export async function actorFromToken(orm: Orm, token: string): Promise<Actor | null> {
  if (token.length > 200) return null;
  const [row] = await orm
    .select({ tokenId: apiTokens.id, userId: users.id, email: users.email, scopes: apiTokens.scopes, expiresAt: apiTokens.expiresAt, lastUsedAt: apiTokens.lastUsedAt, active: users.isActive })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, hashToken(token)))
    .limit(1);
  if (!row || !row.active) return null;
  const now = Date.now();
  if (row.expiresAt && row.expiresAt.getTime() < now) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
    await orm.update(apiTokens).set({ lastUsedAt: new Date(now) }).where(eq(apiTokens.id, row.tokenId));
  }
  return { kind: 'token', userId: row.userId, email: row.email, scopes: new Set(row.scopes), tokenId: row.tokenId, sessionId: null };
}

export async function membershipFor(orm: Orm, userId: number, orgSlugOrId: string): Promise<Membership | null> {
  const byId = /^\d+$/.test(orgSlugOrId);
  const [row] = await orm
    .select({ organizationId: organizations.id, organizationSlug: organizations.slug, memberId: organizationMembers.id, role: organizationMembers.role })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
    .where(and(eq(organizationMembers.userId, userId), byId ? eq(organizations.id, Number(orgSlugOrId)) : eq(organizations.slug, orgSlugOrId)))
    .limit(1);
  if (!row) return null;
  const teamRows = await orm.select({ teamId: teamMembers.teamId }).from(teamMembers).where(eq(teamMembers.memberId, row.memberId));
  return { ...row, role: row.role as Role, teamIds: teamRows.map((t) => t.teamId) };
}

/** Owners and admins see every project of the organization; members the projects of their teams. */
export function seesAllProjects(m: Membership): boolean {
  return m.role === 'owner' || m.role === 'admin';
}

export async function canViewProject(orm: Orm, m: Membership, project: { id: number; organizationId: number }): Promise<boolean> {
  if (project.organizationId !== m.organizationId) return false;
  if (seesAllProjects(m)) return true;
  if (m.teamIds.length === 0) return false;
  const rows = await orm
    .select({ teamId: projectTeams.teamId })
    .from(projectTeams)
    .where(and(eq(projectTeams.projectId, project.id), inArray(projectTeams.teamId, m.teamIds)))
    .limit(1);
  return rows.length > 0;
}

/** Scope check: `event:read` is satisfied by `event:write` or `event:admin` too. */
export function hasScope(actor: Actor, scope: string): boolean {
  if (actor.scopes.has(scope)) return true;
  const [resource, level] = scope.split(':');
  if (level === 'read') return actor.scopes.has(`${resource}:write`) || actor.scopes.has(`${resource}:admin`);
  if (level === 'write') return actor.scopes.has(`${resource}:admin`);
  return false;
}

/** Roles that may change projects, keys and teams. */
export function canManageProjects(m: Membership): boolean {
  return m.role === 'owner' || m.role === 'admin';
}
