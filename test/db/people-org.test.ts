// Members, teams, who sees which projects, and API tokens, through the real app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizationMembers, organizations, users } from '../../server/db/schema.ts';
import { FIXTURE_KEY, startTestServer, type TestServer } from '../helpers/server.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, Browser } from './people-helpers.ts';

let s: TestServer;
let owner: Browser;
let ipCounter = 10;
const browser = () => new Browser(s, `198.51.100.${ipCounter++}`);

async function signedIn(email: string, password: string): Promise<Browser> {
  const b = browser();
  expect((await b.login(email, password)).status).toBe(200);
  return b;
}

async function store(projectId: string | number, key: string, message: string): Promise<string> {
  const res = await s.req(`/api/${projectId}/store/?sentry_key=${key}`, { method: 'POST', body: JSON.stringify({ message }) });
  expect(res.status).toBe(200);
  return (await res.json()).id;
}

const slugs = (r: { body: Array<{ slug: string }> }) => r.body.map((p) => p.slug).sort();
const titles = (r: { body: Array<{ title: string }> }) => r.body.map((i) => i.title).sort();

beforeAll(async () => {
  s = await startTestServer({ FAULTLINE_TRUST_PROXY: 'true' });
  owner = await signedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
});
afterAll(() => s?.close());

describe('members', () => {
  it('lists the bootstrap owner', async () => {
    const res = await owner.call('GET', '/organizations/faultline/members/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ email: ADMIN_EMAIL, role: 'owner', orgRole: 'owner', teams: ['faultline'], user: expect.objectContaining({ email: ADMIN_EMAIL }) })]);
    expect((await owner.call('GET', '/organizations/faultline/members/me/')).body.email).toBe(ADMIN_EMAIL);
  });

  it('creates members, making users with a password (given, or generated and shown once)', async () => {
    const ada = await owner.call('POST', '/organizations/faultline/members/', { email: 'Ada@Example.com', role: 'admin', password: 'ada-password' });
    expect(ada.status).toBe(201);
    expect(ada.body).toMatchObject({ email: 'ada@example.com', role: 'admin', teams: [] });
    expect(ada.body.password).toBeUndefined();
    const gen = await owner.call('POST', '/organizations/faultline/members/', { email: 'gen@example.com' });
    expect(gen.status).toBe(201);
    expect(gen.body.role).toBe('member');
    expect(gen.body.password).toMatch(/^\S{12,}$/);
    await signedIn('gen@example.com', gen.body.password);
    expect((await owner.call('GET', `/organizations/faultline/members/${gen.body.id}/`)).body.password).toBeUndefined();
  });

  it('answers 400 with a detail for bad input and 409 for an existing member', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ email: 'not-an-email' }, /^email/],
      [{ email: 'x@example.com', role: 'emperor' }, /^role/],
      [{ email: 'x@example.com', password: 'short' }, /^password/],
      [{ email: 'x@example.com', teams: ['no-such-team'] }, /no-such-team/],
    ];
    for (const [body, detail] of cases) {
      const res = await owner.call('POST', '/organizations/faultline/members/', body);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(detail);
    }
    expect((await owner.call('POST', '/organizations/faultline/members/', { email: 'ada@example.com' })).status).toBe(409);
    expect((await owner.call('PUT', '/organizations/faultline/members/abc/', { role: 'admin' })).status).toBe(400);
    expect((await owner.call('PUT', '/organizations/faultline/members/me/', {})).status).toBe(400);
  });

  it('lets only owners grant, change or take away the owner role', async () => {
    const ada = await signedIn('ada@example.com', 'ada-password');
    const members = (await owner.call('GET', '/organizations/faultline/members/')).body as Array<{ id: string; email: string }>;
    const id = (email: string) => members.find((m) => m.email === email)!.id;
    // An admin may add members, but not owners, and may not touch an owner.
    expect((await ada.call('POST', '/organizations/faultline/members/', { email: 'new-owner@example.com', role: 'owner' })).status).toBe(403);
    expect((await ada.call('PUT', `/organizations/faultline/members/${id('gen@example.com')}/`, { role: 'owner' })).status).toBe(403);
    expect((await ada.call('PUT', `/organizations/faultline/members/${id(ADMIN_EMAIL)}/`, { role: 'member' })).status).toBe(403);
    expect((await ada.call('DELETE', `/organizations/faultline/members/${id(ADMIN_EMAIL)}/`)).status).toBe(403);
    const admin2 = await ada.call('PUT', `/organizations/faultline/members/${id('gen@example.com')}/`, { orgRole: 'admin' });
    expect(admin2.status).toBe(200);
    expect(admin2.body.role).toBe('admin');
    expect((await ada.call('PUT', `/organizations/faultline/members/${id('gen@example.com')}/`, { role: 'member' })).status).toBe(200);
    // An owner may.
    expect((await owner.call('PUT', `/organizations/faultline/members/${id('ada@example.com')}/`, { role: 'owner' })).body.role).toBe('owner');
    expect((await ada.call('PUT', `/organizations/faultline/members/${id('ada@example.com')}/`, { role: 'admin' })).status).toBe(200);
  });

  it('never demotes or removes the last owner', async () => {
    const demote = await owner.call('PUT', '/organizations/faultline/members/me/', { role: 'admin' });
    expect(demote.status).toBe(400);
    expect(demote.body.detail).toMatch(/at least one owner/);
    expect((await owner.call('DELETE', '/organizations/faultline/members/me/')).status).toBe(400);
    expect((await owner.call('GET', '/organizations/faultline/members/me/')).body.role).toBe('owner');
  });

  it('removes a member (the user stays), and a member role may read but not change members', async () => {
    const gen = ((await owner.call('GET', '/organizations/faultline/members/')).body as Array<{ id: string; email: string }>).find((m) => m.email === 'gen@example.com')!;
    expect((await owner.call('DELETE', `/organizations/faultline/members/${gen.id}/`)).status).toBe(204);
    expect((await owner.call('GET', `/organizations/faultline/members/${gen.id}/`)).status).toBe(404);
    expect((await owner.call('DELETE', `/organizations/faultline/members/${gen.id}/`)).status).toBe(404);
    const again = await owner.call('POST', '/organizations/faultline/members/', { email: 'gen@example.com', role: 'member' });
    expect(again.status).toBe(201); // the user existed: no new password
    expect(again.body.password).toBeUndefined();
    const mem = await owner.call('POST', '/organizations/faultline/members/', { email: 'mem@example.com' });
    const member = await signedIn('mem@example.com', mem.body.password);
    expect((await member.call('GET', '/organizations/faultline/members/')).status).toBe(200);
    expect((await member.call('DELETE', `/organizations/faultline/members/${again.body.id}/`)).status).toBe(403);
  });

  it("answers 404 for another organization's member ids", async () => {
    const orm = s.tdb.db.orm;
    const [org] = await orm.insert(organizations).values({ slug: 'elsewhere', name: 'Elsewhere' }).returning();
    const [user] = await orm.insert(users).values({ email: 'someone@elsewhere.example' }).returning();
    const [m] = await orm.insert(organizationMembers).values({ organizationId: org.id, userId: user.id, role: 'owner' }).returning();
    expect((await owner.call('GET', `/organizations/faultline/members/${m.id}/`)).status).toBe(404);
    expect((await owner.call('PUT', `/organizations/faultline/members/${m.id}/`, { role: 'member' })).status).toBe(404);
    expect((await owner.call('DELETE', `/organizations/faultline/members/${m.id}/`)).status).toBe(404);
    expect((await owner.call('POST', `/organizations/faultline/members/${m.id}/teams/faultline/`)).status).toBe(404);
  });
});

describe('teams and what a member sees', () => {
  let mia: Browser;
  let miaId: string;
  const issueOf: Record<string, string> = {};

  beforeAll(async () => {
    const team = await owner.call('POST', '/organizations/faultline/teams/', { name: 'Payments' });
    expect(team.status).toBe(201);
    expect(team.body).toMatchObject({ slug: 'payments', name: 'Payments', isMember: true, memberCount: 1 });
    const project = await owner.call('POST', '/teams/faultline/payments/projects/', { name: 'Checkout' });
    expect(project.status).toBe(201);
    const created = await owner.call('POST', '/organizations/faultline/members/', { email: 'mia@example.com', password: 'mia-password', teams: ['payments'] });
    expect(created.body.teams).toEqual(['payments']);
    miaId = created.body.id;
    mia = await signedIn('mia@example.com', 'mia-password');

    const keys = await owner.call('GET', '/projects/faultline/checkout/keys/');
    await store(project.body.id, keys.body[0].public, 'checkout failed');
    await store(1, FIXTURE_KEY, 'my-service failed');
    await s.drain();
    for (const i of (await owner.call('GET', '/organizations/faultline/issues/?query=')).body) issueOf[i.project.slug] = i.id;
    expect(Object.keys(issueOf).sort()).toEqual(['checkout', 'my-service']);
  });

  it('refuses bad or duplicate teams', async () => {
    expect((await owner.call('POST', '/organizations/faultline/teams/', { name: 'Payments' })).status).toBe(409);
    const bad = await owner.call('POST', '/organizations/faultline/teams/', { slug: 'Not A Slug' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^slug/);
    expect((await owner.call('POST', '/organizations/faultline/teams/', {})).status).toBe(400);
  });

  it("shows a member only their teams' projects, in every list and lookup", async () => {
    expect(slugs(await mia.call('GET', '/organizations/faultline/projects/'))).toEqual(['checkout']);
    expect(titles(await mia.call('GET', '/organizations/faultline/issues/?query='))).toEqual(['checkout failed']);
    expect((await mia.call('GET', '/organizations/faultline/issues/?project=1')).status).toBe(403);
    expect((await mia.call('GET', `/issues/${issueOf.checkout}/`)).status).toBe(200);
    for (const path of ['/projects/faultline/my-service/', '/projects/faultline/my-service/issues/', '/projects/faultline/my-service/keys/', `/issues/${issueOf['my-service']}/`, `/issues/${issueOf['my-service']}/events/`, `/organizations/faultline/issues/${issueOf['my-service']}/`]) {
      expect([path, (await mia.call('GET', path)).status]).toEqual([path, 404]);
    }
    // The owner sees everything.
    expect(slugs(await owner.call('GET', '/organizations/faultline/projects/'))).toEqual(['checkout', 'my-service']);
    const members = await mia.call('GET', '/teams/faultline/payments/members/');
    expect(members.body.map((m: { email: string }) => m.email)).toEqual(['admin@faultline.local', 'mia@example.com']);
  });

  it('follows team membership: joining a team shows its projects, leaving hides them', async () => {
    const join = await owner.call('POST', `/organizations/faultline/members/${miaId}/teams/faultline/`);
    expect(join.status).toBe(201);
    expect((await owner.call('POST', `/organizations/faultline/members/${miaId}/teams/faultline/`)).status).toBe(204);
    expect(slugs(await mia.call('GET', '/organizations/faultline/projects/'))).toEqual(['checkout', 'my-service']);
    expect(titles(await mia.call('GET', '/organizations/faultline/issues/?query='))).toEqual(['checkout failed', 'my-service failed']);
    expect((await owner.call('DELETE', `/organizations/faultline/members/${miaId}/teams/faultline/`)).status).toBe(200);
    expect((await owner.call('DELETE', `/organizations/faultline/members/${miaId}/teams/faultline/`)).status).toBe(404);
    expect(slugs(await mia.call('GET', '/organizations/faultline/projects/'))).toEqual(['checkout']);
  });

  it("follows a project's teams: taking a team's access away hides the project from its members", async () => {
    const removed = await owner.call('DELETE', '/projects/faultline/checkout/teams/payments/');
    expect(removed.status).toBe(200);
    expect(removed.body.teams).toEqual([]);
    expect(slugs(await mia.call('GET', '/organizations/faultline/projects/'))).toEqual([]);
    expect((await mia.call('GET', `/issues/${issueOf.checkout}/`)).status).toBe(404);
    expect((await owner.call('DELETE', '/projects/faultline/checkout/teams/payments/')).status).toBe(404);
    expect((await owner.call('POST', '/projects/faultline/checkout/teams/nope/')).status).toBe(404);
    const added = await owner.call('POST', '/projects/faultline/checkout/teams/payments/');
    expect(added.status).toBe(201);
    expect(added.body.teams.map((t: { slug: string }) => t.slug)).toEqual(['payments']);
    expect(slugs(await mia.call('GET', '/organizations/faultline/projects/'))).toEqual(['checkout']);
  });

  it('keeps team and member changes to owners and admins', async () => {
    expect((await mia.call('POST', '/organizations/faultline/teams/', { name: 'Mine' })).status).toBe(403);
    expect((await mia.call('DELETE', '/teams/faultline/payments/')).status).toBe(403);
    expect((await mia.call('POST', `/organizations/faultline/members/${miaId}/teams/faultline/`)).status).toBe(403);
    expect((await mia.call('POST', '/projects/faultline/checkout/teams/faultline/')).status).toBe(403);
    expect((await mia.call('POST', '/organizations/faultline/members/', { email: 'friend@example.com' })).status).toBe(403);
    expect((await mia.call('PUT', '/organizations/faultline/members/me/', { role: 'owner' })).status).toBe(403);
    expect((await mia.call('GET', '/organizations/faultline/members/')).status).toBe(200);
  });

  it('deletes a team; its projects stay, hidden from members who saw them only through it', async () => {
    expect((await owner.call('DELETE', '/teams/faultline/payments/')).status).toBe(204);
    expect((await owner.call('GET', '/teams/faultline/payments/')).status).toBe(404);
    expect(slugs(await mia.call('GET', '/organizations/faultline/projects/'))).toEqual([]);
    expect(slugs(await owner.call('GET', '/organizations/faultline/projects/'))).toEqual(['checkout', 'my-service']);
  });
});

describe('API tokens', () => {
  let issueId: string;
  beforeAll(async () => {
    await store(1, FIXTURE_KEY, 'token target');
    await s.drain();
    issueId = (await s.api('/organizations/faultline/issues/?query=token')).body[0].id;
  });

  it('creates a token shown once, lists it without the token, and honours its scopes', async () => {
    const created = await owner.call('POST', '/api-tokens/', { name: 'read only', scopes: ['org:read', 'project:read', 'event:read'] });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^flt_[0-9a-f]{64}$/);
    expect(created.body).toMatchObject({ name: 'read only', scopes: ['org:read', 'project:read', 'event:read'], tokenLastCharacters: token.slice(-4), lastUsedAt: null });

    const list = await owner.call('GET', '/api-tokens/');
    const listed = list.body.find((t: { id: string }) => t.id === created.body.id);
    expect(listed).toMatchObject({ name: 'read only', tokenLastCharacters: token.slice(-4) });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(listed.token).toBeUndefined();

    expect((await s.api(`/issues/${issueId}/`, { token })).status).toBe(200);
    const put = await s.api(`/issues/${issueId}/`, { token, method: 'PUT', json: { status: 'resolved' } });
    expect(put.status).toBe(403);
    expect(put.body.detail).toMatch(/event:write/);
    expect((await s.api('/organizations/faultline/members/', { token })).status).toBe(403);

    // Last use is recorded (at most once a minute).
    const used = (await owner.call('GET', '/api-tokens/')).body.find((t: { id: string }) => t.id === created.body.id);
    expect(Date.now() - Date.parse(used.lastUsedAt)).toBeLessThan(60_000);
    await s.api(`/issues/${issueId}/`, { token });
    expect((await owner.call('GET', '/api-tokens/')).body.find((t: { id: string }) => t.id === created.body.id).lastUsedAt).toBe(used.lastUsedAt);

    // Revoked: 401 from then on.
    expect((await owner.call('DELETE', `/api-tokens/${created.body.id}/`)).status).toBe(204);
    expect((await s.api(`/issues/${issueId}/`, { token })).status).toBe(401);
    expect((await owner.call('DELETE', `/api-tokens/${created.body.id}/`)).status).toBe(404);
  });

  it('gives a token with event:write what it needs', async () => {
    const { body } = await owner.call('POST', '/api-tokens/', { scopes: ['event:write'] });
    expect((await s.api(`/issues/${issueId}/`, { token: body.token, method: 'PUT', json: { status: 'resolved' } })).status).toBe(200);
  });

  it('validates scopes, and never grants more than the creator has', async () => {
    const bogus = await owner.call('POST', '/api-tokens/', { scopes: ['event:read', 'bogus'] });
    expect(bogus.status).toBe(400);
    expect(bogus.body.detail).toMatch(/^scopes/);
    expect((await owner.call('POST', '/api-tokens/', { scopes: [] })).status).toBe(400);
    expect((await owner.call('POST', '/api-tokens/', { scopes: ['event:read'], expiresAt: '2001-01-01T00:00:00Z' })).status).toBe(400);
    const mia = await signedIn('mia@example.com', 'mia-password');
    const tooMuch = await mia.call('POST', '/api-tokens/', { scopes: ['project:write'] });
    expect(tooMuch.status).toBe(403);
    expect(tooMuch.body.detail).toMatch(/project:write/);
    expect((await mia.call('POST', '/api-tokens/', { scopes: ['event:write'] })).status).toBe(201);
    // A token creating a token: its own scopes are the ceiling.
    const { body: reader } = await owner.call('POST', '/api-tokens/', { scopes: ['event:read'] });
    expect((await s.api('/api-tokens/', { token: reader.token, method: 'POST', json: { scopes: ['event:write'] } })).status).toBe(403);
    expect((await s.api('/api-tokens/', { token: reader.token, method: 'POST', json: { scopes: ['event:read'] } })).status).toBe(201);
  });

  it("cannot see or revoke another user's tokens", async () => {
    const mia = await signedIn('mia@example.com', 'mia-password');
    const { body } = await owner.call('POST', '/api-tokens/', { scopes: ['event:read'] });
    expect((await mia.call('GET', '/api-tokens/')).body.some((t: { id: string }) => t.id === body.id)).toBe(false);
    expect((await mia.call('DELETE', `/api-tokens/${body.id}/`)).status).toBe(404);
    expect((await s.api('/api-tokens/', { token: body.token })).status).toBe(200);
  });

  it('expires tokens with an expiry date', async () => {
    const { body } = await owner.call('POST', '/api-tokens/', { scopes: ['org:read'], expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await s.api('/organizations/', { token: body.token })).status).toBe(200);
    await s.tdb.db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [Number(body.id)]);
    expect((await s.api('/organizations/', { token: body.token })).status).toBe(401);
  });
});
