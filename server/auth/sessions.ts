// Browser sessions. The cookie carries a random token; the database keeps only its SHA-256 and a CSRF
// token the UI sends back in `X-CSRF-Token` on every state-changing request. Sessions expire after
// 14 days without use (sliding: each use at least a minute after the last one extends it) and after
// 90 days in any case.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { organizationMembers, sessions, users } from '../db/schema.ts';
import type { Actor } from './access.ts';
import { scopesOfRoles } from './roles.ts';
import { hashToken } from './tokens.ts';

export const SESSION_COOKIE = 'faultline_session';
export const SESSION_IDLE_MS = 14 * 86_400_000;
export const SESSION_MAX_MS = 90 * 86_400_000;
/** Extend a session (one UPDATE) at most this often. */
const TOUCH_EVERY_MS = 60_000;

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface SessionInfo {
  actor: Actor;
  csrfToken: string;
  expiresAt: Date;
  /** True when this use extended the session (the cookie should be sent again). */
  extended: boolean;
}

export async function createSession(orm: Orm, userId: number, meta: { userAgent?: string | null; ip?: string | null }): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_IDLE_MS);
  // Tidy up expired sessions (of anyone) while we are here; signing in is rare enough.
  await orm.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  await orm.insert(sessions).values({
    userId,
    tokenHash: hashToken(token),
    csrfToken,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    ip: meta.ip ?? null,
    expiresAt,
  });
  return { token, csrfToken, expiresAt };
}

export async function sessionFromToken(orm: Orm, token: string): Promise<SessionInfo | null> {
  if (token.length > 200) return null;
  const [row] = await orm
    .select({
      id: sessions.id,
      userId: users.id,
      email: users.email,
      active: users.isActive,
      csrfToken: sessions.csrfToken,
      expiresAt: sessions.expiresAt,
      lastSeenAt: sessions.lastSeenAt,
      createdAt: sessions.createdAt,
      roles: sql<string | null>`(SELECT string_agg(${organizationMembers.role}, ',') FROM ${organizationMembers} WHERE ${organizationMembers.userId} = ${users.id})`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, hashToken(token)))
    .limit(1);
  const now = Date.now();
  if (!row || !row.active || row.expiresAt.getTime() <= now) return null;
  let expiresAt = row.expiresAt;
  let extended = false;
  if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    expiresAt = new Date(Math.min(now + SESSION_IDLE_MS, row.createdAt.getTime() + SESSION_MAX_MS));
    await orm.update(sessions).set({ lastSeenAt: new Date(now), expiresAt }).where(eq(sessions.id, row.id));
    extended = true;
  }
  const actor: Actor = { kind: 'session', userId: row.userId, email: row.email, scopes: scopesOfRoles(row.roles?.split(',') ?? []), tokenId: null, sessionId: row.id };
  return { actor, csrfToken: row.csrfToken, expiresAt, extended };
}

export async function deleteSession(orm: Orm, sessionId: number): Promise<void> {
  await orm.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user except `keep` (after a password change). */
export async function deleteOtherSessions(orm: Orm, userId: number, keep: number | null): Promise<void> {
  await orm.delete(sessions).where(keep === null ? eq(sessions.userId, userId) : and(eq(sessions.userId, userId), ne(sessions.id, keep)));
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface CookieOptions {
  secure: boolean;
}

/** The Set-Cookie value for a session (or, with token null, one that clears it). */
export function sessionCookie(token: string | null, expiresAt: Date | null, opts: CookieOptions): string {
  const parts = [`${SESSION_COOKIE}=${token ?? ''}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (token && expiresAt) parts.push(`Max-Age=${Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000))}`, `Expires=${expiresAt.toUTCString()}`);
  else parts.push('Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
