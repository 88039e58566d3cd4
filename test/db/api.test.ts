// The web API a script relies on (architecture: "The API a script can rely on"), after real SDK events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture, type SdkFixture } from '../helpers/fixtures.ts';
import { FIXTURE_KEY, startTestServer, TEST_TOKEN, type TestServer } from '../helpers/server.ts';

let s: TestServer;

const send = (f: SdkFixture) => s.send(f);

async function store(event: Record<string, unknown>): Promise<string> {
  const res = await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: JSON.stringify(event) });
  expect(res.status).toBe(200);
  return (await res.json()).id;
}

beforeAll(async () => {
  s = await startTestServer();
  for (const client of ['node', 'python', 'go']) {
    await send(loadFixture(`${client}/exception.json`));
    await send(loadFixture(`${client}/exception-again.json`));
    await send(loadFixture(`${client}/other-exception.json`));
  }
  await store({ message: 'Disk almost full on db-1', level: 'warning', environment: 'staging', release: 'api@2.0.0', tags: { region: 'eu-west' } });
  await store({ message: 'Cache miss storm', level: 'info', environment: 'production', release: 'api@2.1.0', tags: { region: 'us-east' } });
  await store({ message: 'Cache miss storm', level: 'info', environment: 'production', release: 'api@2.1.0', tags: { region: 'us-east' } });
  await s.drain();
});
afterAll(() => s?.close());

describe('authentication', () => {
  it('needs a valid bearer token', async () => {
    expect((await s.api('/organizations/', { token: null })).status).toBe(401);
    expect((await s.api('/organizations/', { token: 'flt_wrong' })).status).toBe(401);
    const ok = await s.api('/organizations/', { token: TEST_TOKEN });
    expect(ok.status).toBe(200);
  });

  it('answers 404 for unknown organizations, projects and issues', async () => {
    expect((await s.api('/organizations/nope/issues/')).status).toBe(404);
    expect((await s.api('/projects/faultline/nope/keys/')).status).toBe(404);
    expect((await s.api('/issues/999999999/')).status).toBe(404);
    expect((await s.api('/no/such/endpoint/')).status).toBe(404);
  });
});

describe('organizations, projects and keys', () => {
  it('lists organizations and their projects', async () => {
    const orgs = await s.api('/organizations/');
    expect(orgs.body).toEqual([expect.objectContaining({ slug: 'faultline', name: 'Faultline' })]);
    const projects = await s.api('/organizations/faultline/projects/');
    expect(projects.body.map((p: { slug: string }) => p.slug)).toContain('my-service');
  });

  it('creates a project through its team and gives it a working DSN', async () => {
    const created = await s.api('/teams/faultline/faultline/projects/', { method: 'POST', json: { name: 'Billing API', platform: 'node' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'billing-api', name: 'Billing API', platform: 'node' });
    const dup = await s.api('/teams/faultline/faultline/projects/', { method: 'POST', json: { name: 'Billing API' } });
    expect(dup.status).toBe(409);
    const bad = await s.api('/teams/faultline/faultline/projects/', { method: 'POST', json: { name: '' } });
    expect(bad.status).toBe(400);

    const keys = await s.api('/projects/faultline/billing-api/keys/');
    expect(keys.status).toBe(200);
    const dsn = new URL(keys.body[0].dsn.public);
    expect(dsn.username).toMatch(/^[0-9a-f]{32}$/);
    expect(dsn.origin).toBe('http://faultline.test');
    const projectId = dsn.pathname.slice(1);
    expect(projectId).toBe(created.body.id);

    const res = await s.req(`/api/${projectId}/store/?sentry_key=${dsn.username}`, { method: 'POST', body: JSON.stringify({ message: 'billing hello' }) });
    expect(res.status).toBe(200);
    await s.drain();
    const list = await s.api(`/projects/faultline/billing-api/issues/`);
    expect(list.body.map((i: { title: string }) => i.title)).toEqual(['billing hello']);
  });
});

describe('issue lists', () => {
  const titles = async (qs: string) => (await s.api(`/organizations/faultline/issues/?${qs}`)).body.map((i: { title: string }) => i.title) as string[];

  it('lists every status for an empty query, unresolved by default', async () => {
    const all = await s.api('/organizations/faultline/issues/?query=');
    expect(all.status).toBe(200);
    expect(all.body.length).toBeGreaterThanOrEqual(8);
    const first = all.body[0];
    expect(first).toMatchObject({ id: expect.any(String), shortId: expect.any(String), count: expect.any(String), userCount: expect.any(Number) });
    expect(first.project).toMatchObject({ id: expect.any(String), slug: expect.any(String) });
    expect(first.stats['24h']).toHaveLength(24);

    await s.api(`/issues/${first.id}/`, { method: 'PUT', json: { status: 'resolved' } });
    const unresolved = await s.api('/organizations/faultline/issues/');
    expect(unresolved.body.map((i: { id: string }) => i.id)).not.toContain(first.id);
    const resolved = await s.api('/organizations/faultline/issues/?query=is:resolved');
    expect(resolved.body.map((i: { id: string }) => i.id)).toEqual([first.id]);
    await s.api(`/issues/${first.id}/`, { method: 'PUT', json: { status: 'unresolved' } });
  });

  it('filters by level, environment, release, tag and free text', async () => {
    expect(await titles('query=level:warning')).toEqual(['Disk almost full on db-1']);
    expect(await titles('query=environment:production')).toEqual(['Cache miss storm']);
    expect(await titles('environment=staging')).toEqual(['Disk almost full on db-1']);
    expect(await titles('query=release:api@2.0.0')).toEqual(['Disk almost full on db-1']);
    expect(await titles('query=region:us-east')).toEqual(['Cache miss storm']);
    expect(await titles('query=!region:us-east level:[warning,info]')).toEqual(['Disk almost full on db-1']);
    expect(await titles(`query=${encodeURIComponent('"miss storm"')}`)).toEqual(['Cache miss storm']);
    expect(await titles(`query=${encodeURIComponent("'; DROP TABLE issues; --")}`)).toEqual([]);
  });

  it('sorts by date, new, freq and user', async () => {
    for (const sort of ['date', 'new', 'freq', 'user', 'priority']) {
      const res = await s.api(`/organizations/faultline/issues/?query=&sort=${sort}`);
      expect(res.status, sort).toBe(200);
    }
    const freq = await s.api('/organizations/faultline/issues/?query=&sort=freq');
    const counts = freq.body.map((i: { count: string }) => Number(i.count));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const bad = await s.api('/organizations/faultline/issues/?sort=loudest');
    expect(bad.status).toBe(400);
  });

  it('pages with Link cursors, forward and back', async () => {
    const all = (await s.api('/organizations/faultline/issues/?query=&limit=100')).body.map((i: { id: string }) => i.id);
    const seen: string[] = [];
    let url = '/organizations/faultline/issues/?query=&limit=3';
    let prevUrl: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await s.api(url);
      seen.push(...res.body.map((i: { id: string }) => i.id));
      const link = res.headers.get('link')!;
      expect(link).toMatch(/rel="previous"; results="(true|false)"; cursor="[^"]+"/);
      const next = /<([^>]+)>; rel="next"; results="(true|false)"/.exec(link)!;
      const prev = /<([^>]+)>; rel="previous"; results="(true|false)"/.exec(link)!;
      expect(prev[2]).toBe(page === 0 ? 'false' : 'true');
      if (page === 1) prevUrl = prev[1];
      if (next[2] === 'false') break;
      url = next[1].replace('http://faultline.test/api/0', '');
    }
    expect(seen).toEqual(all);
    const back = await s.api(prevUrl!.replace('http://faultline.test/api/0', ''));
    expect(back.body.map((i: { id: string }) => i.id)).toEqual(all.slice(0, 3));
  });

  it('rejects a malformed query with a 400 that points at the token', async () => {
    const res = await s.api(`/organizations/faultline/issues/?query=${encodeURIComponent('level:error is:sideways')}`);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/sideways/);
    expect(res.body.detail).toMatch(/position/);
  });

  it('scopes to one project, per project route or project parameter', async () => {
    const [project] = (await s.api('/organizations/faultline/projects/')).body.filter((p: { slug: string }) => p.slug === 'my-service');
    const a = await s.api('/projects/faultline/my-service/issues/?query=');
    const b = await s.api(`/organizations/faultline/issues/?query=&project=${project.id}`);
    expect(a.body.map((i: { id: string }) => i.id)).toEqual(b.body.map((i: { id: string }) => i.id));
    expect(a.body.every((i: { project: { slug: string } }) => i.project.slug === 'my-service')).toBe(true);
  });
});

describe('one issue', () => {
  let issueId: string;
  beforeAll(async () => {
    const list = await s.api('/organizations/faultline/issues/?query=Cache');
    issueId = list.body[0].id;
  });

  it('gets, updates and deletes an issue', async () => {
    const got = await s.api(`/issues/${issueId}/`);
    expect(got.body).toMatchObject({ id: issueId, title: 'Cache miss storm', count: '2', level: 'info', status: 'unresolved' });
    const ignored = await s.api(`/issues/${issueId}/`, { method: 'PUT', json: { status: 'ignored' } });
    expect(ignored.body.status).toBe('ignored');
    const badStatus = await s.api(`/issues/${issueId}/`, { method: 'PUT', json: { status: 'sleeping' } });
    expect(badStatus.status).toBe(400);
    const bulk = await s.api(`/organizations/faultline/issues/?id=${issueId}`, { method: 'PUT', json: { status: 'unresolved' } });
    expect(bulk.status).toBe(200);
    expect((await s.api(`/issues/${issueId}/`)).body.status).toBe('unresolved');
  });

  it('lists events, the latest event and tags', async () => {
    const events = await s.api(`/issues/${issueId}/events/`);
    expect(events.body).toHaveLength(2);
    expect(events.body[0]).toMatchObject({ eventID: expect.stringMatching(/^[0-9a-f]{32}$/), groupID: issueId });
    const latest = await s.api(`/issues/${issueId}/events/latest/`);
    expect(latest.body.eventID).toBe(events.body[0].eventID);
    expect(latest.body.entries.map((e: { type: string }) => e.type)).toContain('message');
    expect(latest.body.previousEventID).toBe(events.body[1].eventID);
    const tags = await s.api(`/issues/${issueId}/tags/`);
    const env = tags.body.find((t: { key: string }) => t.key === 'environment');
    expect(env.topValues).toEqual([expect.objectContaining({ value: 'production', count: 2 })]);
    const region = await s.api(`/issues/${issueId}/tags/region/`);
    expect(region.body.totalValues).toBe(2);
  });

  it('pages through an issue\'s events with Link cursors', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await store({ message: 'Paged event', timestamp: Date.now() / 1000 - 100 + i }));
    await s.drain();
    const list = await s.api('/organizations/faultline/issues/?query=' + encodeURIComponent('"Paged event"'));
    const id = list.body[0].id;
    const seen: string[] = [];
    let url = `/issues/${id}/events/?limit=3`;
    let secondPrev = '';
    for (let page = 0; page < 5; page++) {
      const res = await s.api(url);
      seen.push(...res.body.map((e: { eventID: string }) => e.eventID));
      const link = res.headers.get('link')!;
      if (page === 1) secondPrev = /<([^>]+)>; rel="previous"/.exec(link)![1].replace('http://faultline.test/api/0', '');
      const next = /<([^>]+)>; rel="next"; results="(true|false)"/.exec(link)!;
      if (next[2] === 'false') break;
      url = next[1].replace('http://faultline.test/api/0', '');
    }
    expect(seen).toEqual([...ids].reverse());
    const back = await s.api(secondPrev);
    expect(back.body.map((e: { eventID: string }) => e.eventID)).toEqual([...ids].reverse().slice(0, 3));
    expect((await s.api(`/issues/${id}/events/?cursor=nonsense`)).status).toBe(400);
  });

  it('shows an exception event with its stack trace', async () => {
    const id = await send(loadFixture('node/chained.json'));
    await s.drain();
    const [row] = await s.tdb.db.query<{ issue_id: number }>('SELECT issue_id FROM events WHERE event_id = $1::uuid', [id]);
    const ev = await s.api(`/issues/${row.issue_id}/events/latest/`);
    const exc = ev.body.entries.find((e: { type: string }) => e.type === 'exception');
    expect(exc.data.values.length).toBeGreaterThanOrEqual(2);
    expect(exc.data.values.at(-1).stacktrace.frames.length).toBeGreaterThan(0);
  });

  it('deletes an issue with its events', async () => {
    const del = await s.api(`/issues/${issueId}/`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    expect((await s.api(`/issues/${issueId}/`)).status).toBe(404);
    const [{ n }] = await s.tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE issue_id = $1', [Number(issueId)]);
    expect(n).toBe(0);
    const [{ orphans }] = await s.tdb.db.query<{ orphans: number }>(
      `SELECT count(*)::int AS orphans FROM event_payloads p WHERE NOT EXISTS
         (SELECT 1 FROM events e WHERE e.project_id = p.project_id AND e.event_id = p.event_id)`,
    );
    expect(orphans).toBe(0);
  });
});
