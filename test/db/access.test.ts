// Generated from the route table (server/api/access.ts REGISTRY): for EVERY /api/0 route,
//   401 without credentials,
//   404 when the path names another organization's objects,
//   403 for a role that lacks the right (routes limited to some roles).
// And every /api/0 route the app serves must be in the table, so a new route without an access rule
// fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY, type RegisteredRoute } from '../../server/api/access.ts';
import { eq } from 'drizzle-orm';
import { ALL_SCOPES, hashToken } from '../../server/auth/tokens.ts';
import { apiTokens, organizationMembers, organizations, projectKeys, projects, projectTeams, teamMembers, teams, users } from '../../server/db/schema.ts';
import { FIXTURE_KEY, startTestServer, TEST_TOKEN, type TestServer } from '../helpers/server.ts';

let s: TestServer;
const OTHER_TOKEN = 'flt_other_org_owner_token_0000000000000000000000000';
const MEMBER_TOKEN = 'flt_member_role_token_000000000000000000000000000000';
const other = { org: 'other-org', project: 'other-service', team: 'other-team', id: '', eventId: '' };
const mine = { org: 'faultline', project: 'my-service', team: 'faultline', id: '', eventId: '' };

async function addUser(email: string, orgId: number, role: 'owner' | 'admin' | 'member', token: string, teamId?: number) {
  const orm = s.tdb.db.orm;
  const [user] = await orm.insert(users).values({ email, name: email }).returning();
  const [member] = await orm.insert(organizationMembers).values({ organizationId: orgId, userId: user.id, role }).returning();
  if (teamId) await orm.insert(teamMembers).values({ teamId, memberId: member.id });
  await orm.insert(apiTokens).values({ userId: user.id, tokenHash: hashToken(token), tokenLastCharacters: token.slice(-4), scopes: [...ALL_SCOPES] });
}

beforeAll(async () => {
  s = await startTestServer();
  const orm = s.tdb.db.orm;
  // Another organization with a project, a team, an issue and an event.
  const [org] = await orm.insert(organizations).values({ slug: other.org, name: 'Other' }).returning();
  const [team] = await orm.insert(teams).values({ organizationId: org.id, slug: other.team, name: 'Other team' }).returning();
  const [project] = await orm.insert(projects).values({ organizationId: org.id, slug: other.project, name: 'Other service' }).returning();
  await orm.insert(projectTeams).values({ projectId: project.id, teamId: team.id });
  await addUser('owner@other.example', org.id, 'owner', OTHER_TOKEN, team.id);
  // A plain member of our organization, in the team that owns my-service.
  const [ourTeam] = await orm.select().from(teams).where(eq(teams.slug, mine.team));
  await addUser('member@faultline.example', ourTeam.organizationId, 'member', MEMBER_TOKEN, ourTeam.id);

  // One event in each organization (ours through the fixture key, theirs through a key of theirs).
  const res = await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: JSON.stringify({ message: 'ours' }) });
  mine.eventId = (await res.json()).id;
  await orm.insert(projectKeys).values({ projectId: project.id, publicKey: 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0', secretKey: 'x' });
  const res2 = await s.req(`/api/${project.id}/store/?sentry_key=b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0`, { method: 'POST', body: JSON.stringify({ message: 'theirs' }) });
  other.eventId = (await res2.json()).id;
  await s.drain();
  const ids = await s.tdb.db.query<{ issue_id: number; event_id: string }>(`SELECT issue_id, replace(event_id::text, '-', '') AS event_id FROM events`);
  mine.id = String(ids.find((r) => r.event_id === mine.eventId)!.issue_id);
  other.id = String(ids.find((r) => r.event_id === other.eventId)!.issue_id);
});
afterAll(() => s?.close());

function urlFor(r: RegisteredRoute, names: typeof mine): string {
  return r.path.replace(/\{(\w+)\}/g, (_, p: string) => {
    const values: Record<string, string> = { ...names, key: 'environment', which: 'latest', memberId: '1', tokenId: '1', keyId: FIXTURE_KEY, noteId: '1' };
    if (!(p in values)) throw new Error(`no test value for path parameter {${p}} of ${r.path}`);
    return encodeURIComponent(values[p]);
  });
}

function call(r: RegisteredRoute, names: typeof mine, token: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}';
  return s.req(urlFor(r, names), { method: r.method, headers, body });
}

const routes = REGISTRY.filter((r) => r.access.kind !== 'public');
const named = routes.filter((r) => /\{(org|project|team|id)\}/.test(r.path));
const limited = routes.filter((r) => 'roles' in r.access && r.access.roles);

describe('the route table', () => {
  it('covers every /api/0 route the app serves', () => {
    const served = s.rt.app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/0/') && !r.path.endsWith('*'))
      .map((r) => `${r.method} ${r.path}`);
    const declared = new Set(REGISTRY.map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(served.filter((r) => !declared.has(r))).toEqual([]);
    expect(routes.length).toBeGreaterThan(20);
    expect(limited.length).toBeGreaterThan(0);
  });
});

describe.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, r) => {
  it('401 without credentials', async () => {
    const res = await call(r, mine, null);
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toBeTruthy();
  });

  if (named.includes(r)) {
    it("404 for another organization's objects", async () => {
      // Our owner's token naming the other organization's objects.
      const res = await call(r, other, TEST_TOKEN);
      expect(res.status).toBe(404);
    });
  }

  if (limited.includes(r)) {
    it('403 for a role without the right', async () => {
      const res = await call(r, mine, MEMBER_TOKEN);
      expect(res.status).toBe(403);
    });
  }
});

it('lets the other organization see its own objects (the 404s above are about access, not absence)', async () => {
  const res = await s.api(`/issues/${other.id}/`, { token: OTHER_TOKEN });
  expect(res.status).toBe(200);
  expect((await s.api(`/issues/${mine.id}/`, { token: OTHER_TOKEN })).status).toBe(404);
});
