// From real SDK requests to grouped, counted issues: what a user sees in the issue list.
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEnvelope } from '../../server/ingest/envelope.ts';
import { loadFixture, type SdkFixture } from '../helpers/fixtures.ts';
import { FIXTURE_KEY, startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const send = (f: SdkFixture) => s.send(f);

interface Issue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  level: string;
  status: string;
  substatus: string | null;
  count: string;
  userCount: number;
  metadata: { type?: string; value?: string };
  firstSeen: string;
  lastSeen: string;
}

async function issueOf(eventId: string): Promise<Issue> {
  const [row] = await s.tdb.db.query<{ issue_id: number }>('SELECT issue_id FROM events WHERE event_id = $1::uuid', [eventId]);
  expect(row, `event ${eventId} stored`).toBeDefined();
  const res = await s.api<Issue>(`/issues/${row.issue_id}/`);
  expect(res.status).toBe(200);
  return res.body;
}

const SDKS = ['node', 'browser', 'python', 'raven-ruby', 'ruby', 'go', 'raven-go', 'raven-js'];

describe.each(SDKS)('%s: an error becomes a grouped, counted issue', (client) => {
  let first: Issue;
  let again: Issue;
  let other: Issue;
  beforeAll(async () => {
    const a = await send(loadFixture(`${client}/exception.json`));
    const b = await send(loadFixture(`${client}/exception-again.json`));
    const c = await send(loadFixture(`${client}/other-exception.json`));
    await s.drain();
    [first, again, other] = [await issueOf(a), await issueOf(b), await issueOf(c)];
  });

  it('groups the same error with a different value into one issue, counted twice', () => {
    expect(again.id).toBe(first.id);
    expect(Number(again.count)).toBe(2);
  });

  it('keeps a different error in its own issue', () => {
    expect(other.id).not.toBe(first.id);
    expect(Number(other.count)).toBe(1);
  });

  it('shows a title, culprit, level and metadata like Sentry', () => {
    expect(first.title.length).toBeGreaterThan(0);
    expect(first.title).toContain(first.metadata.type ?? '');
    expect(first.metadata.type).toBeTruthy();
    expect(first.culprit.length).toBeGreaterThan(0);
    expect(['fatal', 'error', 'warning', 'info', 'debug']).toContain(first.level);
    expect(first.shortId).toMatch(/^[A-Z0-9-]+-[0-9A-Z]+$/);
    expect(first.status).toBe('unresolved');
    expect(new Date(first.firstSeen).getTime()).toBeLessThanOrEqual(new Date(again.lastSeen).getTime());
  });

  it('counts distinct users', () => {
    expect(again.userCount).toBeGreaterThanOrEqual(1);
  });
});

describe('raven-go, the legacy Go client (sentry_version=4, base64 + zlib bodies)', () => {
  it('keeps what it sent: the time (UTC, two fractional digits, no zone), user, tags as pairs, release, stack', async () => {
    // `unhandled` (a recovered panic): sent by no other test here.
    const f = loadFixture('raven-go/unhandled.json');
    expect(f.headers['x-sentry-auth']).toMatch(/sentry_version=4/);
    const sent = JSON.parse(inflateSync(Buffer.from(f.body.toString('latin1'), 'base64')).toString('utf8'));
    const id = await send(f);
    await s.drain();
    const issue = await issueOf(id);
    expect(issue.title).toBe(`runtime.boundsError: ${sent.exception.value}`);
    // Computed here, as Sentry does (protocol doc §7.2), not the client's "main.placeOrderPanics".
    expect(issue.culprit).toBe('main in placeOrderPanics');
    const latest = (await s.api(`/issues/${issue.id}/events/latest/`)).body;
    expect(latest.eventID).toBe(sent.event_id);
    expect(new Date(latest.dateCreated).getTime()).toBe(Date.parse(`${sent.timestamp}Z`));
    expect(latest.user).toMatchObject({ id: '42', email: 'jane@example.com' });
    expect(latest.tags).toEqual(expect.arrayContaining([{ key: 'feature', value: 'checkout' }, { key: 'region', value: 'eu-west' }, { key: 'release', value: 'faultline-fixtures@1.0.0' }, { key: 'environment', value: 'test' }]));
    const frames = latest.entries.find((e: { type: string }) => e.type === 'exception').data.values[0].stacktrace.frames.map((fr: { function: string }) => fr.function);
    expect(frames).toContain('placeOrderPanics');
  });
});

describe('messages', () => {
  it('groups a captured message with its variable part', async () => {
    const a = await send(loadFixture('node/message.json'));
    await s.drain();
    const issue = await issueOf(a);
    expect(issue.title).toMatch(/Payment \d+ declined/);
  });

  it('groups messages that differ only in numbers through the parameterized text', async () => {
    const ids: string[] = [];
    for (const n of [1001, 2002, 3003]) {
      const res = await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: JSON.stringify({ message: `Order ${n} could not be shipped`, level: 'warning' }) });
      ids.push((await res.json()).id);
    }
    await s.drain();
    const issues = await Promise.all(ids.map(issueOf));
    expect(new Set(issues.map((i) => i.id)).size).toBe(1);
    expect(issues[0].count).toBe('3');
    expect(issues[0].level).toBe('warning');
  });
});

describe('counting', () => {
  it('never counts an SDK retry twice, in one batch or across batches', async () => {
    const f = loadFixture('node/exception.json');
    const id1 = await send(f); // the same bytes again: same event_id
    await send(f);
    await s.drain();
    await send(f);
    await s.drain();
    const [{ n }] = await s.tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE event_id = $1::uuid', [id1]);
    expect(n).toBe(1);
    const issue = await issueOf(id1);
    const [{ events }] = await s.tdb.db.query<{ events: number }>('SELECT count(*)::int AS events FROM events WHERE issue_id = $1', [Number(issue.id)]);
    expect(Number(issue.count)).toBe(events);
  });

  it('counts users by id, email, username or ip', async () => {
    const users = [{ id: 'u1' }, { id: 'u1' }, { email: 'b@example.com' }, { ip_address: '10.0.0.9' }, {}];
    for (const user of users) {
      await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, {
        method: 'POST',
        body: JSON.stringify({ exception: { values: [{ type: 'QuotaError', value: 'over quota' }] }, user }),
      });
    }
    await s.drain();
    const res = await s.api<Issue[]>('/organizations/faultline/issues/?query=QuotaError');
    expect(res.body).toHaveLength(1);
    expect(res.body[0].count).toBe('5');
    expect(res.body[0].userCount).toBe(3);
  });

  it("counts each tag value with its first and last time, and the issue's events per hour, across batches", async () => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;
    const at = (ms: number, region: string) =>
      s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, {
        method: 'POST',
        body: JSON.stringify({ exception: { values: [{ type: 'TagTimeError', value: 'x' }] }, timestamp: ms / 1000, tags: { region } }),
      });
    await at(hour + 1_234, 'eu');
    await at(hour + 3_600_000 + 7, 'eu'); // the next hour
    await at(hour + 999, 'us');
    await s.drain();
    await at(hour + 5, 'eu'); // a later batch with an earlier time
    await s.drain();
    const [issue] = (await s.api<Issue[]>('/organizations/faultline/issues/?query=TagTimeError')).body;
    expect(issue.count).toBe('4');
    const region = await s.api<{ topValues: Array<{ value: string; count: number; firstSeen: string; lastSeen: string }> }>(`/issues/${issue.id}/tags/region/`);
    const byValue = Object.fromEntries(region.body.topValues.map((v) => [v.value, v]));
    expect(byValue.eu).toMatchObject({ count: 3, firstSeen: new Date(hour + 5).toISOString(), lastSeen: new Date(hour + 3_600_007).toISOString() });
    expect(byValue.us).toMatchObject({ count: 1, firstSeen: new Date(hour + 999).toISOString(), lastSeen: new Date(hour + 999).toISOString() });
    const stats = await s.api<Array<[number, number]>>(`/issues/${issue.id}/stats/?statsPeriod=24h`);
    const nonZero = stats.body.filter(([, n]) => n > 0);
    expect(nonZero).toEqual([
      [hour / 1000, 3],
      [hour / 1000 + 3600, 1],
    ]);
  });

  it('keeps, per event, the grouping components that made its hash', async () => {
    const id = await send(loadFixture('python/exception.json'));
    await s.drain();
    const issue = await issueOf(id);
    const ev = await s.api(`/issues/${issue.id}/events/${id}/`);
    expect(ev.status).toBe(200);
    const info = await s.api(`/projects/faultline/my-service/events/${id}/grouping-info/`);
    expect(info.status).toBe(200);
    expect(info.body.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(info.body.version).toBeTruthy();
    expect(ev.body.fingerprints).toContain(info.body.hash);
    // The components that made the hash: the exception's type and in-app frames.
    const variant = info.body.variants[info.body.variant];
    expect(variant.contributes).toBe(true);
    expect(variant.hash).toBe(info.body.hash);
    expect(JSON.stringify(variant.component)).toContain('"contributes":true');
    expect(JSON.stringify(variant.component)).toContain(JSON.stringify(ev.body.metadata.type));
    const hashes = await s.api(`/issues/${issue.id}/hashes/`);
    expect(hashes.body.find((h: { primary: boolean }) => h.primary).variants).toEqual(info.body.variants);
  });
});

describe('regressions', () => {
  // Events without a stack trace group by type and value: each test uses its own value.
  const send1 = async (value: string, extra: Record<string, unknown> = {}) => {
    const res = await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, {
      method: 'POST',
      body: JSON.stringify({ exception: { values: [{ type: 'RegressionProbe', value }] }, ...extra }),
    });
    const id = (await res.json()).id as string;
    await s.drain();
    return issueOf(id);
  };

  it('reopens a resolved issue when a new event arrives', async () => {
    const issue = await send1('reopens');
    const resolved = await s.api(`/issues/${issue.id}/`, { method: 'PUT', json: { status: 'resolved' } });
    expect(resolved.body.status).toBe('resolved');
    const again = await send1('reopens');
    expect(again.id).toBe(issue.id);
    expect(again.status).toBe('unresolved');
    expect(again.substatus).toBe('regressed');
    const list = await s.api<Issue[]>('/organizations/faultline/issues/?query=is:regressed');
    expect(list.body.map((i) => i.id)).toContain(issue.id);
  });

  it('does not reopen for an event that happened before the resolution', async () => {
    const issue = await send1('late retry');
    await s.api(`/issues/${issue.id}/`, { method: 'PUT', json: { status: 'resolved' } });
    const old = await send1('late retry', { timestamp: Date.now() / 1000 - 3600 });
    expect(old.id).toBe(issue.id);
    expect(old.status).toBe('resolved');
  });

  it('"resolved in release" reopens only for a newer release', async () => {
    const issue = await send1('in release', { release: 'app@1.0.0' });
    await s.api(`/issues/${issue.id}/`, { method: 'PUT', json: { status: 'resolved', statusDetails: { inRelease: 'app@1.2.0' } } });
    const older = await send1('in release', { release: 'app@1.1.0' });
    expect(older.id).toBe(issue.id);
    expect(older.status).toBe('resolved');
    expect((await send1('in release', { release: 'app@1.3.0' })).status).toBe('unresolved');
  });
});

describe('items we do not store yet', () => {
  it('accepts and drops transactions, sessions, client reports and attachments without an error', async () => {
    const before = await s.queueLength();
    const body = serializeEnvelope({ event_id: crypto.randomUUID().replace(/-/g, '') }, [
      { header: { type: 'transaction' }, payload: '{"type":"transaction","spans":[]}' },
      { header: { type: 'session' }, payload: '{"sid":"x","status":"ok"}' },
      { header: { type: 'client_report' }, payload: '{"discarded_events":[]}' },
      { header: { type: 'attachment', filename: 'a.bin' }, payload: Buffer.from([0, 1, 2, 10, 255]) },
      { header: { type: 'replay_recording' }, payload: Buffer.from([10, 10, 10]) },
      { header: { type: 'something_new' }, payload: '{}' },
    ]);
    const res = await s.req(`/api/1/envelope/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: new Uint8Array(body) });
    expect(res.status).toBe(200);
    expect(await s.queueLength()).toBe(before);
  });
});
