// Sign-in, sessions and the signed-in user. Authentication of every /api/0 request is here too
// (`authentication`, mounted by index.ts): a bearer token, else the session cookie.
//
// CSRF: a request authenticated by the cookie that changes state (POST, PUT, PATCH, DELETE) must carry
// `X-CSRF-Token` equal to its session's token (returned by sign-in and GET /auth/session); the cookie
// is also SameSite=Lax and HttpOnly. Bearer-token requests are exempt: browsers never add them.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppContext } from '../app.ts';
import { actorFromToken } from '../auth/access.ts';
import { attemptSucceeded, beginAttempt, LoginRateLimited } from '../auth/login-limit.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { createSession, csrfMatches, deleteOtherSessions, deleteSession, SESSION_COOKIE, sessionCookie, sessionFromToken } from '../auth/sessions.ts';
import { checkCredentials, getUser, serializeUser, setPassword } from '../auth/users.ts';
import { organizationMembers, organizations, sessions } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { route, type ApiEnv } from './access.ts';
import { errorResponses, ErrorSchema, json, noContent } from './schemas.ts';

const tags = ['Authentication'];
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOGIN_PATH = '/api/0/auth/login';

export const UserSchema = z
  .object({ id: z.string(), email: z.string(), username: z.string(), name: z.string(), isActive: z.boolean(), hasPasswordAuth: z.boolean(), dateJoined: z.string() })
  .loose()
  .openapi('User');

const SessionSchema = z
  .object({
    user: UserSchema,
    authenticatedBy: z.enum(['session', 'token']),
    csrfToken: z.string().nullable().openapi({ description: 'Send as X-CSRF-Token on state-changing requests (sessions only)' }),
    expiresAt: z.string().nullable(),
    organizations: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string(), role: z.string() })),
  })
  .openapi('Session');

const LoginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) });
const PasswordBody = z.object({ current: z.string().min(1).max(1024), new: z.string().min(8).max(1024) });
const tooMany = { 429: json(ErrorSchema, 'Too many failed attempts; Retry-After says when to try again') };

const login = route({ kind: 'public' }, {
  method: 'post',
  path: LOGIN_PATH,
  tags,
  summary: 'Sign in with email and password; sets the faultline_session cookie and returns the CSRF token',
  request: { body: { content: { 'application/json': { schema: LoginBody } }, required: true } },
  responses: { 200: json(z.object({ user: UserSchema, csrfToken: z.string(), expiresAt: z.string() }), 'Signed in'), ...errorResponses, ...tooMany },
});
const logout = route({ kind: 'user' }, {
  method: 'post',
  path: '/api/0/auth/logout',
  tags,
  summary: 'End this session (clears the cookie)',
  responses: { 204: noContent('Signed out'), ...errorResponses },
});
const session = route({ kind: 'user' }, {
  method: 'get',
  path: '/api/0/auth/session',
  tags,
  summary: 'Who is signed in: the user, their organizations and roles, and the CSRF token',
  responses: { 200: json(SessionSchema, 'The session'), ...errorResponses },
});
const me = route({ kind: 'user' }, {
  method: 'get',
  path: '/api/0/users/me',
  tags,
  summary: 'The signed-in user',
  responses: { 200: json(UserSchema, 'The user'), ...errorResponses },
});
const changePassword = route({ kind: 'user' }, {
  method: 'put',
  path: '/api/0/users/me/password',
  tags,
  summary: "Change your password ({current, new}); ends your other sessions",
  request: { body: { content: { 'application/json': { schema: PasswordBody } }, required: true } },
  responses: { 204: noContent('Changed'), ...errorResponses, ...tooMany },
});

/** The client's address: the socket's, or X-Forwarded-For's first hop behind a trusted proxy. */
export function clientAddress(c: Context<ApiEnv>): string | null {
  if (c.get('app').config.trustProxy) {
    const fwd = c.req.header('x-forwarded-for');
    if (fwd) return fwd.split(',')[0].trim().slice(0, 64) || null;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}

const secureCookies = (ctx: AppContext) => ctx.config.publicUrl.startsWith('https:');

/** Sets `actor` from a bearer token or the session cookie (see the header comment for CSRF). */
export function authentication(ctx: AppContext): MiddlewareHandler<ApiEnv> {
  const cookieOpts = { secure: secureCookies(ctx) };
  return async (c, next) => {
    c.set('app', ctx);
    const header = c.req.header('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw new ApiError(401, 'unsupported authorization scheme: use Bearer <token>');
      const actor = await actorFromToken(ctx.db.orm, m[1]);
      if (!actor) throw new ApiError(401, 'invalid token');
      c.set('actor', actor);
      return next();
    }
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return next();
    const s = await sessionFromToken(ctx.db.orm, token);
    // An expired or unknown session is no credentials (so that signing in again works); the cookie goes.
    const setCookie = s ? (s.extended ? sessionCookie(token, s.expiresAt, cookieOpts) : null) : sessionCookie(null, null, cookieOpts);
    if (s) {
      const path = c.req.path.replace(/\/+$/, '');
      if (UNSAFE_METHODS.has(c.req.method) && path !== LOGIN_PATH && !csrfMatches(s.csrfToken, c.req.header('x-csrf-token'))) {
        throw new ApiError(403, 'CSRF token missing or incorrect: send the X-CSRF-Token header from GET /api/0/auth/session', 'csrf_failed');
      }
      c.set('actor', s.actor);
    }
    await next();
    if (setCookie && !c.res.headers.has('set-cookie')) c.res.headers.append('set-cookie', setCookie);
  };
}

async function organizationsOf(c: Context<ApiEnv>, userId: number) {
  const rows = await c
    .get('app')
    .db.orm.select({ id: organizations.id, slug: organizations.slug, name: organizations.name, role: organizationMembers.role })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
    .where(eq(organizationMembers.userId, userId))
    .orderBy(organizations.slug);
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

export function authRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  /** Runs `fn` under the sign-in rate limit; a 429 carries Retry-After. */
  async function limited<T>(c: Context<ApiEnv>, email: string, fn: () => Promise<T | null>): Promise<T | null> {
    const db = c.get('app').db;
    try {
      const attempt = await beginAttempt(db, email, clientAddress(c));
      const result = await fn();
      if (result) await attemptSucceeded(db, attempt);
      return result;
    } catch (err) {
      if (err instanceof LoginRateLimited) c.header('Retry-After', String(err.retryAfter));
      throw err;
    }
  }

  r.openapi(login, async (c) => {
    const ctx = c.get('app');
    const { email, password } = c.req.valid('json');
    const user = await limited(c, email, () => checkCredentials(ctx.db.orm, email, password));
    if (!user) throw new ApiError(401, 'invalid email or password', 'invalid_credentials');
    const s = await createSession(ctx.db.orm, user.id, { userAgent: c.req.header('user-agent'), ip: clientAddress(c) });
    c.header('Set-Cookie', sessionCookie(s.token, s.expiresAt, { secure: secureCookies(ctx) }));
    c.header('Cache-Control', 'no-store');
    return c.json({ user: serializeUser(user), csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() }, 200);
  });

  r.openapi(logout, async (c) => {
    const ctx = c.get('app');
    const actor = c.get('actor')!;
    if (actor.sessionId !== null) await deleteSession(ctx.db.orm, actor.sessionId);
    c.header('Set-Cookie', sessionCookie(null, null, { secure: secureCookies(ctx) }));
    return c.body(null, 204);
  });

  r.openapi(session, async (c) => {
    const orm = c.get('app').db.orm;
    const actor = c.get('actor')!;
    const user = (await getUser(orm, actor.userId))!;
    const [row] = actor.sessionId !== null ? await orm.select().from(sessions).where(eq(sessions.id, actor.sessionId)).limit(1) : [];
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        user: serializeUser(user),
        authenticatedBy: actor.kind,
        csrfToken: row?.csrfToken ?? null,
        expiresAt: row?.expiresAt.toISOString() ?? null,
        organizations: await organizationsOf(c, actor.userId),
      },
      200,
    );
  });

  r.openapi(me, async (c) => c.json(serializeUser((await getUser(c.get('app').db.orm, c.get('actor')!.userId))!), 200));

  r.openapi(changePassword, async (c) => {
    const orm = c.get('app').db.orm;
    const actor = c.get('actor')!;
    const input = c.req.valid('json');
    const user = (await getUser(orm, actor.userId))!;
    const ok = await limited(c, user.email, async () => (user.passwordHash && (await verifyPassword(user.passwordHash, input.current)) ? true : null));
    if (!ok) throw new ApiError(400, 'current: the current password is not correct');
    await setPassword(orm, user.id, input.new);
    await deleteOtherSessions(orm, user.id, actor.sessionId);
    return c.body(null, 204);
  });

  return r;
}
