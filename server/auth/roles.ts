// Organization roles and the scopes each grants, after Sentry's (src/sentry/conf/server.py SENTRY_ROLES):
// our `admin` is Sentry's admin plus its manager (may manage members), `owner` has every scope.
// A signed-in session acts with the scopes of the user's role; an API token with its own scopes.
import type { Role } from './access.ts';
import { ALL_SCOPES } from './tokens.ts';

export const ROLES: readonly Role[] = ['owner', 'admin', 'member'];

const MEMBER_SCOPES = ['org:read', 'project:read', 'event:read', 'event:write', 'event:admin', 'member:read', 'team:read'] as const;
const ADMIN_SCOPES = [
  ...MEMBER_SCOPES,
  'org:write',
  'project:write',
  'project:admin',
  'team:write',
  'team:admin',
  'member:write',
  'member:admin',
] as const;

export const ROLE_SCOPES: Record<Role, readonly string[]> = {
  member: MEMBER_SCOPES,
  admin: ADMIN_SCOPES,
  owner: ALL_SCOPES,
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * The scopes of a session: those of the user's roles. A user who belongs to several organizations
 * with different roles gets the union here; the per-organization role is still checked by every
 * route limited to some roles (api/access.ts), which is where the difference matters.
 */
export function scopesOfRoles(roles: readonly string[]): Set<string> {
  const out = new Set<string>(MEMBER_SCOPES);
  for (const r of roles) if (isRole(r)) for (const s of ROLE_SCOPES[r]) out.add(s);
  return out;
}
