// Ingest through the real app: every recorded SDK request is accepted; every malformed request gets a
// 4xx with {"detail"} and X-Sentry-Error, and nothing already accepted is lost.
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeEnvelope } from '../../server/ingest/envelope.ts';
import { listFixtures, type SdkFixture } from '../helpers/fixtures.ts';
import { FIXTURE_KEY, startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ FAULTLINE_MAX_BODY_BYTES: String(2 * 1024 * 1024), FAULTLINE_MAX_ENVELOPE_BYTES: String(4 * 1024 * 1024) });
});
afterAll(() => s?.close());

const send = (f: SdkFixture) => s.replay(f);

const eventId = () => crypto.randomUUID().replace(/-/g, '');
const envelopeUrl = `/api/1/envelope/?sentry_key=${FIXTURE_KEY}&sentry_version=7`;
const storeUrl = `/api/1/store/?sentry_key=${FIXTURE_KEY}`;
const minimalEvent = (extra: Record<string, unknown> = {}) => JSON.stringify({ event_id: eventId(), message: 'hello from a test', ...extra });

describe('real SDK requests are accepted', () => {
  const fixtures = listFixtures();
  it('has fixtures from every client', () => {
    const clients = new Set(fixtures.map((f) => f.client));
    for (const c of ['node', 'browser', 'python', 'raven-ruby', 'ruby', 'go', 'raven-go', 'raven-js']) expect(clients).toContain(c);
  });

  // A scenario's extra requests carry no error event: sessions, client reports, transactions, spans
  // (dropped), and logs (queued as a log container). The file name is the scenario plus the item.
  const suffix = (f: SdkFixture) => f.file.slice(f.file.lastIndexOf('/') + 1 + f.scenario.length);
  const carriesNoEvent = (f: SdkFixture) => suffix(f) !== '.json' && suffix(f) !== '-log.json';

  it.each(fixtures.map((f) => [f.file, f] as const))('%s → 200', async (_name, f) => {
    const before = await s.queueLength();
    const res = await send(f);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const queued = (await s.queueLength()) - before;
    expect(queued).toBe(carriesNoEvent(f) ? 0 : 1);
    if (queued === 1 && !f.file.endsWith('-log.json')) expect(body.id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('any language over HTTP', () => {
  it('takes the README curl example: minimal JSON to /store/ with X-Sentry-Auth', async () => {
    const res = await s.req('/api/1/store/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_key=${FIXTURE_KEY}, sentry_version=7` },
      body: JSON.stringify({ message: 'Something broke in the billing job', level: 'error', platform: 'other' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers CORS preflights without auth and exposes the rate-limit headers', async () => {
    const res = await s.req('/api/1/envelope/', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-sentry-rate-limits');
  });

  it('routes behind a DSN path prefix, without a trailing slash and with doubled slashes', async () => {
    for (const url of [`/sentry/api/1/store?sentry_key=${FIXTURE_KEY}`, `//api//1/store/?sentry_key=${FIXTURE_KEY}`, `/api/store/?sentry_key=${FIXTURE_KEY}`]) {
      const res = await s.req(url, { method: 'POST', body: minimalEvent() });
      expect(res.status, url).toBe(200);
    }
  });

  it('authenticates an envelope by its dsn header alone', async () => {
    const id = eventId();
    const body = serializeEnvelope({ event_id: id, dsn: `https://${FIXTURE_KEY}@faultline.test/1` }, [{ header: { type: 'event' }, payload: minimalEvent({ event_id: id }) }]);
    const res = await s.req('/api/1/envelope/', { method: 'POST', body: new Uint8Array(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id });
  });
});

describe('bad input: a clear 4xx, nothing accepted lost', () => {
  let acceptedId: string;
  let queuedBefore: number;
  beforeAll(async () => {
    await s.drain();
    acceptedId = eventId();
    const res = await s.req(storeUrl, { method: 'POST', body: minimalEvent({ event_id: acceptedId, message: 'accepted before the bad requests' }) });
    expect(res.status).toBe(200);
    queuedBefore = await s.queueLength();
  });

  async function expectRejected(res: Response, status: number, detail: RegExp) {
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(status);
    expect(body.detail).toMatch(detail);
    expect(res.headers.get('x-sentry-error')).toMatch(detail);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await s.queueLength()).toBe(queuedBefore);
  }

  it('empty body', async () => {
    await expectRejected(await s.req(storeUrl, { method: 'POST', body: '' }), 400, /empty request body/);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: '' }), 400, /empty request body/);
  });

  it('invalid JSON', async () => {
    await expectRejected(await s.req(storeUrl, { method: 'POST', body: '{"message": "unterminated' }), 400, /invalid JSON/);
    const env = serializeEnvelope({}, [{ header: { type: 'event' }, payload: '{"message":' }]);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: new Uint8Array(env) }), 400, /invalid JSON/);
  });

  it('an event that is not an object', async () => {
    await expectRejected(await s.req(storeUrl, { method: 'POST', body: '["not", "an", "event"]' }), 400, /JSON object/);
  });

  it('broken envelope framing', async () => {
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: '{"event_id":\n{"type":"event"}\n{}' }), 400, /invalid envelope/);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: '{}\n{"no_type":true}\n{}' }), 400, /invalid envelope/);
  });

  it('wrong item length', async () => {
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: '{}\n{"type":"event","length":500}\n{"message":"x"}' }), 400, /shorter than its length/);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: '{}\n{"type":"event","length":3}\n{"message":"x"}' }), 400, /longer than its length/);
  });

  it('bad compression stream', async () => {
    await expectRejected(await s.req(storeUrl, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: 'this is not gzip' }), 400, /invalid compression/);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', headers: { 'content-encoding': 'br' }, body: 'nor brotli' }), 400, /invalid compression/);
  });

  it('decompression bomb', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(200 * 1024);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: new Uint8Array(bomb) }), 413, /decompressed body exceeds/);
  });

  it('oversize body', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    await expectRejected(await s.req(storeUrl, { method: 'POST', body: big }), 413, /request body exceeds/);
  });

  it('oversize event item', async () => {
    const env = serializeEnvelope({}, [{ header: { type: 'event' }, payload: minimalEvent({ extra: { blob: 'y'.repeat(1100 * 1024) } }) }]);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: new Uint8Array(env) }), 413, /event exceeds size limit/);
  });

  it('more than one event in an envelope', async () => {
    const env = serializeEnvelope({}, [
      { header: { type: 'event' }, payload: minimalEvent() },
      { header: { type: 'event' }, payload: minimalEvent() },
    ]);
    await expectRejected(await s.req(envelopeUrl, { method: 'POST', body: new Uint8Array(env) }), 400, /more than one event/);
  });

  it('invalid event id', async () => {
    await expectRejected(await s.req(storeUrl, { method: 'POST', body: JSON.stringify({ event_id: 'not-an-id', message: 'x' }) }), 400, /invalid event id/);
  });

  it('unknown key', async () => {
    await expectRejected(await s.req('/api/1/store/?sentry_key=00000000000000000000000000000000', { method: 'POST', body: minimalEvent() }), 403, /unknown DSN public key/);
  });

  it('a key of another project', async () => {
    const created = await s.api('/teams/faultline/faultline/projects/', { method: 'POST', json: { name: 'other-service' } });
    expect(created.status).toBe(201);
    const keys = await s.api(`/projects/faultline/${created.body.slug}/keys/`);
    const otherKey = keys.body[0].public;
    await expectRejected(await s.req(`/api/1/store/?sentry_key=${otherKey}`, { method: 'POST', body: minimalEvent() }), 403, /does not belong to this project/);
  });

  it('missing auth', async () => {
    await expectRejected(await s.req('/api/1/store/', { method: 'POST', body: minimalEvent() }), 401, /missing authorization/);
    await expectRejected(await s.req('/api/1/envelope/', { method: 'POST', body: `{}\n{"type":"event"}\n${minimalEvent()}` }), 401, /missing authorization/);
  });

  it('conflicting auth', async () => {
    const res = await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, {
      method: 'POST',
      headers: { 'x-sentry-auth': 'Sentry sentry_key=ffffffffffffffffffffffffffffffff, sentry_version=7' },
      body: minimalEvent(),
    });
    await expectRejected(res, 401, /multiple authorization payloads/);
  });

  it('unsupported sentry_version', async () => {
    await expectRejected(await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}&sentry_version=42`, { method: 'POST', body: minimalEvent() }), 400, /unsupported sentry_version/);
  });

  it('a project id that is not a number', async () => {
    await expectRejected(await s.req(`/api/abc/store/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: minimalEvent() }), 400, /invalid project id/);
  });

  it('still stores what was accepted before', async () => {
    expect(await s.queueLength()).toBe(queuedBefore);
    await s.drain();
    const [row] = await s.tdb.db.query<{ message: string }>(`SELECT message FROM events WHERE event_id = $1::uuid`, [acceptedId]);
    expect(row.message).toBe('accepted before the bad requests');
  });
});
