// API tokens of a user: created with a name and scopes, shown once, stored as a SHA-256 digest.
import { and, desc, eq } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { apiTokens } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { ALL_SCOPES, hashToken, newApiToken } from './tokens.ts';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** Checks scope names; `allowed` (the creator's own scopes) caps what a new token may get. */
export function validateScopes(scopes: readonly string[], allowed?: ReadonlySet<string>): string[] {
  const unique = [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
  if (unique.length === 0) throw new ApiError(400, 'scopes: at least one scope');
  const unknown = unique.filter((s) => !(ALL_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new ApiError(400, `scopes: unknown scope ${unknown.join(', ')} (known: ${ALL_SCOPES.join(', ')})`);
  if (allowed) {
    const beyond = unique.filter((s) => !allowed.has(s));
    if (beyond.length > 0) throw new ApiError(403, `you cannot grant scopes you do not have: ${beyond.join(', ')}`);
  }
  return unique;
}

export async function createApiToken(orm: Orm, input: { userId: number; name: string; scopes: string[]; expiresAt?: Date | null }): Promise<{ row: ApiTokenRow; token: string }> {
  const token = newApiToken();
  const [row] = await orm
    .insert(apiTokens)
    .values({ userId: input.userId, name: input.name, tokenHash: hashToken(token), tokenLastCharacters: token.slice(-4), scopes: input.scopes, expiresAt: input.expiresAt ?? null })
    .returning();
  return { row, token };
}

export async function listApiTokens(orm: Orm, userId: number): Promise<ApiTokenRow[]> {
  return orm.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

export async function deleteApiToken(orm: Orm, userId: number, tokenId: number): Promise<boolean> {
  const rows = await orm.delete(apiTokens).where(and(eq(apiTokens.userId, userId), eq(apiTokens.id, tokenId))).returning({ id: apiTokens.id });
  return rows.length > 0;
}

/** Sentry's shape; `token` only in the answer to the creation. */
export function serializeApiToken(t: ApiTokenRow, token?: string) {
  return {
    id: String(t.id),
    name: t.name,
    scopes: t.scopes,
    tokenLastCharacters: t.tokenLastCharacters,
    dateCreated: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    ...(token ? { token } : {}),
  };
}
