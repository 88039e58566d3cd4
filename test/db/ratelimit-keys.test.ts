// DSN keys through the API (several per project, rename, disable, revoke) and per-key rate limits at
// ingest: 429 with Retry-After and X-Sentry-Rate-Limits (protocol doc §4.3), nothing stored, counted
// across processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRateLimited, KeyRateLimiter, leaseSize } from '../../server/ingest/rate-limit.ts';
import type { Queryable } from '../../server/db/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
const KEYS = '/projects/faultline/my-service/keys/';

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

function store(key: string, message = 'rate me') {
  return s.req(`/api/1/store/?sentry_key=${key}`, { method: 'POST', body: JSON.stringify({ message }) });
}

function envelope(key: string, message = 'rate me by envelope') {
  const id = crypto.randomUUID().replace(/-/g, '');
  const body = `${JSON.stringify({ event_id: id })}\n${JSON.stringify({ type: 'event' })}\n${JSON.stringify({ event_id: id, message })}\n`;
  return s.req(`/api/1/envelope/?sentry_key=${key}`, { method: 'POST', body });
}

async function newKey(name: string): Promise<string> {
  const res = await s.api(KEYS, { method: 'POST', json: { name } });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('DSN keys', () => {
  it('lists, creates, reads and renames keys; several per project', async () => {
    const before = await s.api(KEYS);
    expect(before.body[0]).toMatchObject({ isActive: true, rateLimit: null });
    const id = await newKey('Frontend');
    const list = await s.api(KEYS);
    expect(list.body.length).toBe(before.body.length + 1);
    const one = await s.api(`${KEYS}${id}/`);
    expect(one.body).toMatchObject({ id, name: 'Frontend', public: id, isActive: true, rateLimit: null });
    expect(one.body.dsn.public).toBe(`http://${id}@faultline.test/1`);
    const renamed = await s.api(`${KEYS}${id}/`, { method: 'PUT', json: { name: 'Web' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Web');
    expect((await store(id)).status).toBe(200);
  });

  it('answers 400 with a detail for bad input and 404 for unknown keys', async () => {
    const id = await newKey('Bad input');
    for (const body of [{ rateLimit: { count: 10, window: 0 } }, { rateLimit: { count: -1, window: 60 } }, { rateLimit: { count: 10, window: 86_401 } }, { isActive: 'no' }, {}]) {
      const res = await s.api(`${KEYS}${id}/`, { method: 'PUT', json: body });
      expect(res.status).toBe(400);
      expect(res.body.detail).toBeTruthy();
    }
    expect((await s.api(`${KEYS}${'0'.repeat(32)}/`)).status).toBe(404);
    expect((await s.api(`${KEYS}${'0'.repeat(32)}/`, { method: 'PUT', json: { name: 'x' } })).status).toBe(404);
    expect((await s.api(`${KEYS}${'0'.repeat(32)}/`, { method: 'DELETE' })).status).toBe(404);
  });

  it('stops taking events through a disabled key at once (403), and again when enabled', async () => {
    const id = await newKey('Toggle');
    expect((await store(id)).status).toBe(200); // now cached by ingest
    expect((await s.api(`${KEYS}${id}/`, { method: 'PUT', json: { isActive: false } })).body.isActive).toBe(false);
    const res = await store(id);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-sentry-error')).toMatch(/disabled/);
    expect((await envelope(id)).status).toBe(403);
    await s.api(`${KEYS}${id}/`, { method: 'PUT', json: { isActive: true } });
    expect((await store(id)).status).toBe(200);
  });

  it('revokes a key: 403 at ingest, gone from the list', async () => {
    const id = await newKey('Revoke me');
    expect((await store(id)).status).toBe(200);
    expect((await s.api(`${KEYS}${id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await store(id)).status).toBe(403);
    expect((await s.api(KEYS)).body.some((k: { id: string }) => k.id === id)).toBe(false);
  });
});

describe('per-key rate limits at ingest', () => {
  it('answers 429 with Retry-After and X-Sentry-Rate-Limits over the limit, and stores nothing', async () => {
    const id = await newKey('Limited');
    const other = await newKey('Unlimited');
    const set = await s.api(`${KEYS}${id}/`, { method: 'PUT', json: { rateLimit: { count: 3, window: 3600 } } });
    expect(set.body.rateLimit).toEqual({ count: 3, window: 3600 });
    await s.drain();
    const queued = await s.queueLength();

    expect((await store(id, 'limited 1')).status).toBe(200);
    expect((await envelope(id, 'limited 2')).status).toBe(200);
    expect((await store(id, 'limited 3')).status).toBe(200);
    for (const send of [store, envelope]) {
      const res = await send(id, 'over the limit');
      expect(res.status).toBe(429);
      const retry = Number(res.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(3600);
      expect(res.headers.get('x-sentry-rate-limits')).toBe(`${retry}::key:key_quota`);
      expect(res.headers.get('access-control-expose-headers')).toMatch(/x-sentry-rate-limits/);
      expect((await res.json()).detail).toMatch(/rate limit/);
    }
    expect(await s.queueLength()).toBe(queued + 3);
    expect((await store(other, 'other key')).status).toBe(200); // other keys are not limited

    await s.drain();
    const issues = await s.api('/projects/faultline/my-service/issues/?query=limited');
    expect(issues.body.reduce((n: number, i: { count: string }) => n + Number(i.count), 0)).toBe(3);
    const over = await s.api('/projects/faultline/my-service/issues/?query=over');
    expect(over.body).toEqual([]);

    // Lifting the limit lets events through again.
    await s.api(`${KEYS}${id}/`, { method: 'PUT', json: { rateLimit: null } });
    expect((await store(id)).status).toBe(200);
  });

  it('takes a limit given at creation; 0 refuses every event', async () => {
    const res = await s.api(KEYS, { method: 'POST', json: { name: 'Closed', rateLimit: { count: 0, window: 60 } } });
    expect(res.body.rateLimit).toEqual({ count: 0, window: 60 });
    expect((await store(res.body.id)).status).toBe(429);
  });
});

describe('the key rate limiter', () => {
  const limited = (keyId: number, count: number, window = 3600) => ({ keyId, rateLimit: { count, window } });
  const takeAll = async (limiter: KeyRateLimiter, key: ReturnType<typeof limited>, n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      try {
        await limiter.take(key, 1);
        ok++;
      } catch (err) {
        if (!(err instanceof KeyRateLimited)) throw err;
      }
    }
    return ok;
  };

  it('never lets two processes together exceed the limit', async () => {
    const key = limited(9001, 10);
    const a = new KeyRateLimiter(s.tdb.db);
    const b = new KeyRateLimiter(s.tdb.db);
    let ok = 0;
    for (let i = 0; i < 15; i++) ok += await takeAll(i % 2 ? a : b, key, 1);
    expect(ok).toBe(10);
  });

  it('leases slices of larger limits: at most limit, at least limit minus one lease per process', async () => {
    const key = limited(9002, 200);
    const limiters = [new KeyRateLimiter(s.tdb.db), new KeyRateLimiter(s.tdb.db), new KeyRateLimiter(s.tdb.db)];
    const counts = await Promise.all(limiters.map((l) => takeAll(l, key, 150)));
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(200);
    expect(total).toBeGreaterThanOrEqual(200 - limiters.length * leaseSize(200));
  });

  it('asks the database once per lease, and not at all once the window is spent', async () => {
    let queries = 0;
    const counting: Queryable = { query: (text, params) => (queries++, s.tdb.db.query(text, params)) };
    const limiter = new KeyRateLimiter(counting);
    const key = limited(9003, 100);
    expect(await takeAll(limiter, key, 100)).toBe(100);
    expect(queries).toBeLessThanOrEqual(100 / leaseSize(100) + 1);
    const before = queries;
    expect(await takeAll(limiter, key, 50)).toBe(0);
    expect(() => limiter.check(key)).toThrow(KeyRateLimited);
    expect(queries).toBe(before + 1); // the one lease that found the window spent
  });

  it('starts afresh in the next window', async () => {
    let now = Date.UTC(2030, 0, 1, 12, 0, 5);
    const limiter = new KeyRateLimiter(s.tdb.db, () => now);
    const key = limited(9004, 2, 60);
    expect(await takeAll(limiter, key, 5)).toBe(2);
    await expect(limiter.take(key, 1)).rejects.toMatchObject({ retryAfter: 55, headers: { 'X-Sentry-Rate-Limits': '55::key:key_quota' } });
    now += 60_000;
    expect(await takeAll(limiter, key, 5)).toBe(2);
  });
});
