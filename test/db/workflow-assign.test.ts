// Assignment (to members and teams, one issue or many), assignment search, comments, and the
// activity list, through the real app with real events.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, hashToken } from '../../server/auth/tokens.ts';
import { apiTokens, organizationMembers, organizations, teamMembers, teams, users } from '../../server/db/schema.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { exc, workflow, type Issue } from './workflow-helpers.ts';

let s: TestServer;
let w: ReturnType<typeof workflow>;
const MEMBER_TOKEN = 'flt_workflow_member_token_000000000000000000000000';
const OUTSIDER_TOKEN = 'flt_workflow_outsider_token_00000000000000000000000';
const ids = { admin: 0, member: 0, outsider: 0, stranger: 0, team: 0, backend: 0 };

async function addUser(email: string, orgId: number, token: string | null, teamId?: number): Promise<number> {
  const orm = s.tdb.db.orm;
  const [user] = await orm.insert(users).values({ email, name: email.split('@')[0] }).returning();
  const [member] = await orm.insert(organizationMembers).values({ organizationId: orgId, userId: user.id, role: 'member' }).returning();
  if (teamId) await orm.insert(teamMembers).values({ teamId, memberId: member.id });
  if (token) await orm.insert(apiTokens).values({ userId: user.id, tokenHash: hashToken(token), tokenLastCharacters: token.slice(-4), scopes: [...ALL_SCOPES] });
  return user.id;
}

beforeAll(async () => {
  s = await startTestServer();
  w = workflow(s);
  const orm = s.tdb.db.orm;
  const [team] = await orm.select().from(teams).where(eq(teams.slug, 'faultline'));
  const [backend] = await orm.insert(teams).values({ organizationId: team.organizationId, slug: 'backend', name: 'Backend' }).returning();
  const [admin] = await orm.select().from(users).where(eq(users.email, 'admin@faultline.local'));
  const [otherOrg] = await orm.insert(organizations).values({ slug: 'elsewhere', name: 'Elsewhere' }).returning();
  Object.assign(ids, {
    admin: admin.id,
    team: team.id,
    backend: backend.id,
    member: await addUser('member@faultline.example', team.organizationId, MEMBER_TOKEN, team.id),
    outsider: await addUser('outsider@faultline.example', team.organizationId, OUTSIDER_TOKEN, backend.id),
    stranger: await addUser('stranger@elsewhere.example', otherOrg.id, null),
  });
});
afterAll(() => s?.close());

describe('assignment', () => {
  it('assigns to a member by id or email, to a team by id or slug, and unassigns', async () => {
    const issue = await w.send(exc('AssignOne'));
    expect(issue.assignedTo).toBeNull();

    const byId = await w.put(issue.id, { assignedTo: `user:${ids.member}` });
    expect(byId.status).toBe(200);
    expect(byId.body.assignedTo).toEqual({ type: 'user', id: String(ids.member), name: 'member', email: 'member@faultline.example' });

    const byEmail = await w.put(issue.id, { assignedTo: 'ADMIN@faultline.local' });
    expect(byEmail.body.assignedTo).toMatchObject({ type: 'user', id: String(ids.admin), email: 'admin@faultline.local' });

    const bySlug = await w.put(issue.id, { assignedTo: '#faultline' });
    expect(bySlug.body.assignedTo).toEqual({ type: 'team', id: String(ids.team), name: 'faultline' });
    expect((await w.put(issue.id, { assignedTo: `team:${ids.team}` })).body.assignedTo.type).toBe('team');

    const none = await w.put(issue.id, { assignedTo: null });
    expect(none.body.assignedTo).toBeNull();
    expect((await w.issue(issue.id)).assignedTo).toBeNull();

    const acts = await w.activities(issue.id);
    expect(acts.map((a) => a.type)).toEqual(['unassigned', 'assigned', 'assigned', 'assigned', 'first_seen']);
    expect(acts[1].data).toEqual({ assignee: String(ids.team), assigneeType: 'team', assigneeName: 'faultline' });
    expect(acts[3].data).toMatchObject({ assignee: String(ids.member), assigneeType: 'user', assigneeEmail: 'member@faultline.example' });
    expect(acts[3].user?.email).toBe('admin@faultline.local');
  });

  it('refuses assignees outside the organization or without access to the project (400)', async () => {
    const issue = await w.send(exc('AssignBad'));
    for (const assignedTo of ['stranger@elsewhere.example', 'nobody@faultline.example', `user:${ids.stranger}`, 'outsider@faultline.example', '#backend', `team:${ids.backend}`, '#no-such-team', 'not an assignee', 'team:abc']) {
      const res = await w.put(issue.id, { assignedTo });
      expect(res.status, assignedTo).toBe(400);
      expect(res.body.detail, assignedTo).toEqual(expect.any(String));
    }
    expect((await w.put(issue.id, { assignedTo: 42 })).status).toBe(400);
    expect((await w.issue(issue.id)).assignedTo).toBeNull();
  });

  it('assigns many issues at once, with a status change in the same request', async () => {
    const a = await w.send(exc('AssignBulk', 'a'));
    const b = await w.send(exc('AssignBulk', 'b'));
    const res = await s.api(`/organizations/faultline/issues/?id=${a.id}&id=${b.id}`, { method: 'PUT', json: { assignedTo: 'member@faultline.example', status: 'resolved' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'resolved', assignedTo: { type: 'user', id: String(ids.member) } });
    for (const id of [a.id, b.id]) expect(await w.issue(id)).toMatchObject({ status: 'resolved', assignedTo: { type: 'user', id: String(ids.member) } });
    const bad = await s.api(`/organizations/faultline/issues/?id=${a.id}`, { method: 'PUT', json: { assignedTo: '#backend' } });
    expect(bad.status).toBe(400);
  });
});

describe('assignment search', () => {
  const issues: Record<string, Issue> = {};
  beforeAll(async () => {
    for (const name of ['mine', 'members', 'teams', 'nobody']) issues[name] = await w.send(exc('AssignSearch', name));
    await w.put(issues.mine.id, { assignedTo: `user:${ids.admin}` });
    await w.put(issues.members.id, { assignedTo: 'member@faultline.example' });
    await w.put(issues.teams.id, { assignedTo: '#faultline' });
  });
  const q = (query: string, token?: string) => w.search(`AssignSearch ${query}`, token);
  const idsOf = (...names: string[]) => names.map((n) => issues[n].id).sort();

  it('assigned:me, an email, #team, none, my_teams', async () => {
    expect(await q('assigned:me')).toEqual(idsOf('mine'));
    expect(await q('assigned:me', MEMBER_TOKEN)).toEqual(idsOf('members'));
    expect(await q('assigned:member@faultline.example')).toEqual(idsOf('members'));
    expect(await q('assigned:MEMBER@faultline.example')).toEqual(idsOf('members'));
    expect(await q('assigned:#faultline')).toEqual(idsOf('teams'));
    expect(await q('assigned:#backend')).toEqual([]);
    expect(await q('assigned:none')).toEqual(idsOf('nobody'));
    expect(await q('assigned:my_teams', MEMBER_TOKEN)).toEqual(idsOf('teams'));
    expect(await q('assigned:[me, #faultline]')).toEqual(idsOf('mine', 'teams'));
    expect(await q('assigned_to:me')).toEqual(idsOf('mine'));
  });

  it('negations and is:/has:', async () => {
    expect(await q('!assigned:me')).toEqual(idsOf('members', 'teams', 'nobody'));
    expect(await q('!assigned:none')).toEqual(idsOf('mine', 'members', 'teams'));
    expect(await q('is:assigned')).toEqual(idsOf('mine', 'members', 'teams'));
    expect(await q('is:unassigned')).toEqual(idsOf('nobody'));
    expect(await q('has:assigned')).toEqual(idsOf('mine', 'members', 'teams'));
    expect(await q('!has:assigned')).toEqual(idsOf('nobody'));
  });

  it('rejects a malformed assignee with a 400', async () => {
    const res = await s.api(`/organizations/faultline/issues/?query=${encodeURIComponent('assigned:"not one"')}`);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/assigned/);
  });

  it('bulk-changes the issues a query finds', async () => {
    const res = await s.api(`/organizations/faultline/issues/?query=${encodeURIComponent('AssignSearch assigned:me')}`, { method: 'PUT', json: { status: 'ignored' } });
    expect(res.status).toBe(200);
    expect((await w.issue(issues.mine.id)).status).toBe('ignored');
    expect((await w.issue(issues.members.id)).status).toBe('unresolved');
  });
});

describe('comments and activity', () => {
  it('comments, edits and deletes its own comments, counted in numComments', async () => {
    const issue = await w.send(exc('CommentProbe'));
    const posted = await s.api(`/issues/${issue.id}/comments/`, { method: 'POST', json: { text: 'Looking into it' } });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ id: expect.any(String), type: 'note', data: { text: 'Looking into it' }, user: { email: 'admin@faultline.local' } });
    const theirs = await s.api(`/organizations/faultline/issues/${issue.id}/comments/`, { method: 'POST', json: { text: 'Me too' }, token: MEMBER_TOKEN });
    expect(theirs.status).toBe(201);
    expect((await w.issue(issue.id)).numComments).toBe(2);
    const listed = await s.api<Issue[]>('/organizations/faultline/issues/?query=CommentProbe');
    expect(listed.body[0].numComments).toBe(2);
    const comments = await s.api(`/issues/${issue.id}/comments/`);
    expect(comments.body.map((c: { data: { text: string } }) => c.data.text)).toEqual(['Me too', 'Looking into it']);

    const edited = await s.api(`/issues/${issue.id}/comments/${posted.body.id}/`, { method: 'PUT', json: { text: 'Fixed in #42' } });
    expect(edited.status).toBe(200);
    expect(edited.body.data.text).toBe('Fixed in #42');
    expect((await s.api(`/issues/${issue.id}/comments/${theirs.body.id}/`, { method: 'PUT', json: { text: 'hijack' } })).status).toBe(403);
    expect((await s.api(`/issues/${issue.id}/comments/${theirs.body.id}/`, { method: 'DELETE' })).status).toBe(403);
    expect((await s.api(`/issues/${issue.id}/comments/${posted.body.id}/`, { method: 'PUT', json: { text: '   ' } })).status).toBe(400);
    expect((await s.api(`/issues/${issue.id}/comments/`, { method: 'POST', json: {} })).status).toBe(400);

    expect((await s.api(`/issues/${issue.id}/comments/${posted.body.id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.api(`/issues/${issue.id}/comments/${posted.body.id}/`, { method: 'DELETE' })).status).toBe(404);
    expect((await w.issue(issue.id)).numComments).toBe(1);

    // A comment id of another issue, or an activity that is not a comment: 404.
    const other = await w.send(exc('CommentOther'));
    expect((await s.api(`/issues/${other.id}/comments/${theirs.body.id}/`, { method: 'DELETE', token: MEMBER_TOKEN })).status).toBe(404);
    await w.put(issue.id, { status: 'resolved' });
    const [status] = await w.activities(issue.id);
    expect((await s.api(`/issues/${issue.id}/comments/${status.id}/`, { method: 'DELETE' })).status).toBe(404);
  });

  it('lists everything that happened, newest first', async () => {
    const issue = await w.send(exc('ActivityProbe'));
    await w.put(issue.id, { status: 'resolved' });
    await w.send(exc('ActivityProbe')); // regression
    await s.api(`/issues/${issue.id}/comments/`, { method: 'POST', json: { text: 'again?' }, token: MEMBER_TOKEN });
    await w.put(issue.id, { assignedTo: 'member@faultline.example' });
    await w.put(issue.id, { status: 'ignored', statusDetails: { ignoreCount: 100 } });
    const acts = await w.activities(issue.id, MEMBER_TOKEN);
    expect(acts.map((a) => a.type)).toEqual(['set_ignored', 'assigned', 'note', 'set_regression', 'set_resolved', 'first_seen']);
    expect(acts[0]).toMatchObject({ user: { email: 'admin@faultline.local' }, data: { ignoreCount: 100 } });
    expect(acts[2]).toMatchObject({ user: { email: 'member@faultline.example' }, data: { text: 'again?' } });
    expect(acts[3].user).toBeNull();
    for (const a of acts) expect(Object.keys(a).sort()).toEqual(['data', 'dateCreated', 'id', 'type', 'user']);
    const times = acts.map((a) => Date.parse(a.dateCreated));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect((await s.api(`/issues/${issue.id}/activities/?limit=2`)).body.activity).toHaveLength(2);
  });
});
