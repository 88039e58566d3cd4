// Sign-in, sessions, CSRF, sign-in rate limiting and password changes, through the real app.
import { desc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/app.ts';
import { windowStart } from '../../server/auth/counters.ts';
import { LOGIN_LIMITS } from '../../server/auth/login-limit.ts';
import { sessions } from '../../server/db/schema.ts';
import { KeyCache } from '../../server/ingest/keys.ts';
import { silentLogger } from '../../server/log.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, Browser } from './people-helpers.ts';

let s: TestServer;
let ipCounter = 10;
/** A browser with an address of its own, so tests do not share the per-address limit. */
const browser = () => new Browser(s, `198.51.100.${ipCounter++}`);

beforeAll(async () => {
  s = await startTestServer({ FAULTLINE_TRUST_PROXY: 'true' });
});
afterAll(() => s?.close());

async function newestSession() {
  const [row] = await s.tdb.db.orm.select().from(sessions).orderBy(desc(sessions.id)).limit(1);
  return row;
}

describe('sign-in and sessions', () => {
  it('signs in with the bootstrap admin, sets an HttpOnly SameSite cookie and returns the CSRF token', async () => {
    const b = browser();
    const res = await b.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: ADMIN_EMAIL, hasPasswordAuth: true });
    expect(res.body.csrfToken).toMatch(/^[\w-]{40,}$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('faultline_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=\d{6,}/);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_URL is http here
    // Only a digest of the cookie's token is stored.
    const rows = await s.tdb.db.orm.select().from(sessions);
    expect(rows.some((r) => b.cookie!.includes(r.tokenHash))).toBe(false);

    const session = await b.call('GET', '/auth/session/');
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ authenticatedBy: 'session', csrfToken: b.csrf, user: { email: ADMIN_EMAIL } });
    expect(session.body.organizations).toEqual([expect.objectContaining({ slug: 'faultline', role: 'owner' })]);
    expect((await b.call('GET', '/users/me/')).body.email).toBe(ADMIN_EMAIL);
    expect((await b.call('GET', '/organizations/faultline/projects/')).status).toBe(200);
  });

  it('tells a token from a session in /auth/session', async () => {
    const res = await s.api('/auth/session/');
    expect(res.body).toMatchObject({ authenticatedBy: 'token', csrfToken: null, user: { email: ADMIN_EMAIL } });
  });

  it('refuses a wrong password or an unknown email with the same answer', async () => {
    const wrong = await browser().login(ADMIN_EMAIL, 'not-the-password');
    const unknown = await browser().login('nobody@example.com', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.detail).toBe('invalid email or password');
  });

  it('answers 400 with a detail for a malformed sign-in', async () => {
    const res = await browser().call('POST', '/auth/login/', { email: ADMIN_EMAIL });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/password/);
  });

  it('ignores an unknown or expired cookie (401 where credentials are needed; signing in still works)', async () => {
    const b = browser();
    b.cookie = 'faultline_session=bogus';
    const res = await b.call('GET', '/organizations/');
    expect(res.status).toBe(401);
    expect(b.cookie).toBeNull(); // cleared
    b.cookie = 'faultline_session=bogus';
    expect((await b.login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);

    const latest = await newestSession();
    await s.tdb.db.orm.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, latest.id));
    expect((await b.call('GET', '/organizations/')).status).toBe(401);
  });

  it('extends a session when used (sliding expiry) and sends the cookie again', async () => {
    const b = browser();
    await b.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const row = await newestSession();
    const old = new Date(Date.now() - 3 * 86_400_000);
    await s.tdb.db.orm.update(sessions).set({ lastSeenAt: old, expiresAt: new Date(Date.now() + 86_400_000) }).where(eq(sessions.id, row.id));
    const res = await b.call('GET', '/organizations/');
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().join()).toMatch(/faultline_session=.*Max-Age=1209\d{3}/);
    const [after] = await s.tdb.db.orm.select().from(sessions).where(eq(sessions.id, row.id));
    expect(after.expiresAt.getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);
    // A second use within the minute writes nothing and sends no cookie.
    expect((await b.call('GET', '/organizations/')).headers.getSetCookie()).toEqual([]);
  });
});

describe('CSRF', () => {
  it('refuses a state-changing cookie request without the X-CSRF-Token header, or with a wrong one', async () => {
    const b = browser();
    await b.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const none = await b.call('POST', '/organizations/faultline/teams/', { name: 'No CSRF' }, { csrf: false });
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({ code: 'csrf_failed' });
    expect((await b.call('POST', '/organizations/faultline/teams/', { name: 'No CSRF' }, { csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await b.call('PUT', '/users/me/password/', { current: 'a', new: 'b' }, { csrf: false })).status).toBe(403);
    const ok = await b.call('POST', '/organizations/faultline/teams/', { name: 'With CSRF' });
    expect(ok.status).toBe(201);
    expect(ok.body.slug).toBe('with-csrf');
    // Reads need no token; bearer-token requests are exempt (browsers never add them).
    expect((await b.call('GET', '/teams/faultline/with-csrf/', undefined, { csrf: false })).status).toBe(200);
    expect((await s.api('/teams/faultline/with-csrf/', { method: 'DELETE' })).status).toBe(204);
  });

  it('lets a signed-in browser sign in again without the header', async () => {
    const b = browser();
    await b.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect((await b.call('POST', '/auth/login/', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { csrf: false })).status).toBe(200);
  });
});

describe('sign-out', () => {
  it('ends the session and clears the cookie', async () => {
    const b = browser();
    await b.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const cookie = b.cookie;
    expect((await b.call('POST', '/auth/logout/', undefined, { csrf: false })).status).toBe(403);
    const res = await b.call('POST', '/auth/logout/');
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().join()).toMatch(/faultline_session=;.*Max-Age=0/);
    expect(b.cookie).toBeNull();
    b.cookie = cookie; // the old cookie no longer works
    expect((await b.call('GET', '/auth/session/')).status).toBe(401);
    expect((await b.call('POST', '/auth/logout/')).status).toBe(401);
  });
});

describe('sign-in rate limit', () => {
  // Attempts count in fixed windows, and the dozens of sign-ins a test makes take seconds: one that ran
  // across a window's end started counting afresh (seen once in CI). The clock stands still at the start
  // of the current window while each test runs.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: windowStart(Date.now(), LOGIN_LIMITS.windowSeconds) + 1000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`answers 429 with Retry-After after ${LOGIN_LIMITS.perEmail} failures for an email, known or not, even with the right password`, async () => {
    for (const email of ['limited@example.com', ADMIN_EMAIL.toUpperCase()]) {
      for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) expect((await browser().login(email, `wrong-${i}`)).status).toBe(401);
      const res = await browser().login(email, 'wrong-again');
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(LOGIN_LIMITS.windowSeconds);
      expect(res.body.detail).toBe('too many failed sign-in attempts; try again later');
    }
    // The admin's email is locked for this window whatever the password (the counter is per email).
    expect((await browser().login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(429);
    await s.tdb.db.query(`DELETE FROM login_attempts WHERE key LIKE 'login:email:%'`);
    expect((await browser().login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);
  });

  it(`answers 429 after ${LOGIN_LIMITS.perAddress} failures from one address, whatever the emails`, async () => {
    const b = browser();
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) expect((await b.login(`user${i}@example.com`, 'wrong-password')).status).toBe(401);
    expect((await b.login('fresh@example.com', 'wrong-password')).status).toBe(429);
    expect((await b.login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(429);
    expect((await browser().login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200); // another address
  });

  it('counts in the database, so every process sees the same failures', async () => {
    // A second app on the same database stands for a second web process.
    const other = createApp({ config: s.rt.config, db: s.tdb.db, log: silentLogger, keys: new KeyCache(s.tdb.db), roles: new Set(['web']) });
    const email = 'shared@example.com';
    const post = (app: { request: typeof other.request }, i: number) =>
      app.request('/api/0/auth/login/', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${i}` }, body: JSON.stringify({ email, password: 'wrong-password' }) });
    for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) expect((await post(i % 2 ? other : s.rt.app, i)).status).toBe(401);
    expect((await post(other, 99)).status).toBe(429);
    expect((await post(s.rt.app, 98)).status).toBe(429);
  });

  it('counts parallel guesses before checking them, so a burst cannot slip past the limit', async () => {
    const email = 'burst@example.com';
    const results = await Promise.all(Array.from({ length: 25 }, () => browser().login(email, 'wrong-password')));
    expect(results.filter((r) => r.status === 401)).toHaveLength(LOGIN_LIMITS.perEmail);
    expect(results.filter((r) => r.status === 429)).toHaveLength(25 - LOGIN_LIMITS.perEmail);
  });
});

describe('password change', () => {
  it('needs the current password, ends the other sessions, and the new password works', async () => {
    const email = 'changer@example.com';
    expect((await s.api('/organizations/faultline/members/', { method: 'POST', json: { email, password: 'first-password', role: 'member' } })).status).toBe(201);
    const a = browser();
    const other = browser();
    await a.login(email, 'first-password');
    await other.login(email, 'first-password');
    expect((await a.call('PUT', '/users/me/password/', { current: 'wrong-password', new: 'second-password' })).status).toBe(400);
    const short = await a.call('PUT', '/users/me/password/', { current: 'first-password', new: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.detail).toMatch(/^new:/);
    expect((await a.call('PUT', '/users/me/password/', { current: 'first-password', new: 'second-password' })).status).toBe(204);
    expect((await a.call('GET', '/auth/session/')).status).toBe(200); // this session goes on
    expect((await other.call('GET', '/auth/session/')).status).toBe(401); // the other one ended
    expect((await browser().login(email, 'first-password')).status).toBe(401);
    expect((await browser().login(email, 'second-password')).status).toBe(200);
  });
});

describe('secure cookies', () => {
  it('marks the cookie Secure when PUBLIC_URL is https', async () => {
    const https = await startTestServer({ PUBLIC_URL: 'https://faultline.example' });
    try {
      const res = await https.req('/api/0/auth/login/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }) });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie().join()).toMatch(/; Secure/);
    } finally {
      await https.close();
    }
  });
});
