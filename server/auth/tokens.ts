// API tokens and DSN keys. Tokens are random, shown once, and stored only as a SHA-256 digest
// (they are high-entropy, so a fast digest is the right tool; passwords use argon2id, see passwords.ts).
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'flt_';
export const ALL_SCOPES = ['org:read', 'org:write', 'org:admin', 'project:read', 'project:write', 'project:admin', 'event:read', 'event:write', 'event:admin', 'member:read', 'member:write', 'member:admin', 'team:read', 'team:write', 'team:admin'] as const;

export function newApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('hex');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A DSN public or secret key: 32 lowercase hex characters, as Sentry's (protocol doc §1.1). */
export function newDsnKey(): string {
  return randomBytes(16).toString('hex');
}

/** A readable generated password for the first admin. */
export function newPassword(): string {
  return randomBytes(12).toString('base64url');
}
