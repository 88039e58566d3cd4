// Users: creation (API, CLI), sign-in checks and password changes. Emails are stored lowercased.
import { eq } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { newPassword } from './tokens.ts';

export type UserRow = typeof users.$inferSelect;

export const MIN_PASSWORD_LENGTH = 8;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(orm: Orm, email: string): Promise<UserRow | undefined> {
  const [row] = await orm.select().from(users).where(eq(users.email, normalizeEmail(email))).limit(1);
  return row;
}

export async function getUser(orm: Orm, id: number): Promise<UserRow | undefined> {
  const [row] = await orm.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new ApiError(400, `password: at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 1024) throw new ApiError(400, 'password: at most 1024 characters');
}

/** The user with this email, created (with the password, or a generated one) when there is none. */
export async function findOrCreateUser(
  orm: Orm,
  input: { email: string; password?: string | null; name?: string | null },
): Promise<{ user: UserRow; created: boolean; generatedPassword: string | null }> {
  const email = normalizeEmail(input.email);
  const existing = await findUserByEmail(orm, email);
  if (existing) return { user: existing, created: false, generatedPassword: null };
  const generatedPassword = input.password ? null : newPassword();
  const password = input.password ?? generatedPassword!;
  checkPassword(password);
  const [user] = await orm
    .insert(users)
    .values({ email, name: input.name ?? '', passwordHash: await hashPassword(password) })
    .onConflictDoNothing({ target: users.email })
    .returning();
  // Created meanwhile by someone else: use theirs.
  if (!user) return { user: (await findUserByEmail(orm, email))!, created: false, generatedPassword: null };
  return { user, created: true, generatedPassword };
}

/** A hash of a random password, verified against when the email is unknown, so that both take as long. */
let dummyHash: Promise<string> | null = null;

/** The active user with this email and password, or null (in about the same time either way). */
export async function checkCredentials(orm: Orm, email: string, password: string): Promise<UserRow | null> {
  const user = await findUserByEmail(orm, email);
  if (!user || !user.passwordHash || !user.isActive) {
    dummyHash ??= hashPassword(newPassword());
    await verifyPassword(await dummyHash, password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? user : null;
}

export async function setPassword(orm: Orm, userId: number, password: string): Promise<void> {
  checkPassword(password);
  await orm.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
}

export function serializeUser(u: UserRow) {
  return {
    id: String(u.id),
    email: u.email,
    username: u.email,
    name: u.name || u.email,
    isActive: u.isActive,
    hasPasswordAuth: u.passwordHash !== null,
    dateJoined: u.createdAt.toISOString(),
    emails: [{ id: String(u.id), email: u.email, is_verified: true }],
  };
}
