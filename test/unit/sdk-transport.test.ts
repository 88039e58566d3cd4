// The SDK's one send policy (sdk/src/transport.ts) and its rate-limit bookkeeping (protocol §4.3),
// driven with a fake network call; then the Node network call itself (gzip over 32 KiB, timeouts)
// against a local HTTP server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '../../sdk/src/envelope.ts';
import { GZIP_THRESHOLD, nodeRequest } from '../../sdk/src/node/transport.ts';
import { isRateLimited, parseRetryAfter, updateRateLimits } from '../../sdk/src/ratelimit.ts';
import { createTransport } from '../../sdk/src/transport.ts';
import type { DropReason, MakeRequest, TransportResponse } from '../../sdk/src/types.ts';
import { parseEnvelope, startRecorder } from '../../sdk/test/helpers.ts';

const NOW = 1_800_000_000_000;
const event = (id = 'e'): Envelope => [{ event_id: id }, [[{ type: 'event' }, { event_id: id, message: 'x' }]]];
const logs = (n = 2): Envelope => [{}, [[{ type: 'log', item_count: n, content_type: 'application/vnd.sentry.items.log+json' }, { version: 2, items: [] }]]];
const report = (): Envelope => [{}, [[{ type: 'client_report' }, { timestamp: 1, discarded_events: [] }]]];

function harness(respond: MakeRequest, opts: { maxQueue?: number; timeout?: number; keepalive?: boolean } = {}) {
  const drops: Record<string, number> = {};
  const t = createTransport({
    url: 'http://x/api/1/envelope/',
    makeRequest: respond,
    maxQueue: opts.maxQueue ?? 64,
    timeout: opts.timeout ?? 1000,
    keepalive: opts.keepalive,
    recordDrop: (reason: DropReason, category: string, n: number) => {
      drops[`${reason}:${category}`] = (drops[`${reason}:${category}`] ?? 0) + n;
    },
  });
  return { t, drops };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('rate-limit headers', () => {
  it('parses X-Sentry-Rate-Limits per category, empty categories meaning all', () => {
    const l = updateRateLimits({}, { status: 429, rateLimits: '60:error;default:key:quota_exceeded, 2700::organization', retryAfter: '10' }, NOW);
    expect(l).toEqual({ error: NOW + 60_000, default: NOW + 60_000, all: NOW + 2_700_000 });
  });

  it('tolerates spaces, fractions, reason codes and namespaces, and keeps the longest limit', () => {
    let l = updateRateLimits({}, { status: 200, rateLimits: ' 1.5 : log_item ; log_byte : project : quota : ns ' }, NOW);
    expect(l).toEqual({ log_item: NOW + 1500, log_byte: NOW + 1500 });
    l = updateRateLimits(l, { status: 200, rateLimits: '1:log_item:key' }, NOW);
    expect(l.log_item).toBe(NOW + 1500);
  });

  it('falls back to Retry-After on a 429 without the header: seconds, an HTTP date, or 60 s', () => {
    expect(updateRateLimits({}, { status: 429, retryAfter: '7' }, NOW)).toEqual({ all: NOW + 7000 });
    expect(updateRateLimits({}, { status: 429, retryAfter: new Date(NOW + 30_000).toUTCString() }, NOW)).toEqual({ all: NOW + 30_000 });
    expect(updateRateLimits({}, { status: 429 }, NOW)).toEqual({ all: NOW + 60_000 });
    expect(parseRetryAfter('soon', NOW)).toBe(60_000);
  });

  it('ignores Retry-After on other answers, and applies X-Sentry-Rate-Limits on any answer', () => {
    expect(updateRateLimits({}, { status: 503, retryAfter: '5' }, NOW)).toEqual({});
    expect(updateRateLimits({}, { status: 200, rateLimits: '5:error:key' }, NOW)).toEqual({ error: NOW + 5000 });
  });

  it('limits a category by its own entry or by `all`', () => {
    const l = { error: NOW + 10, all: NOW + 5 };
    expect(isRateLimited(l, 'error', NOW + 7)).toBe(true);
    expect(isRateLimited(l, 'log_item', NOW + 7)).toBe(false);
    expect(isRateLimited(l, 'log_item', NOW + 3)).toBe(true);
  });
});

describe('send policy', () => {
  it('backs off a limited category for Retry-After seconds while others still go, then resumes', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const sent: string[] = [];
    const { t, drops } = harness(async ({ body }) => {
      const type = parseEnvelope(body).items[0].header.type;
      sent.push(type);
      return type === 'event' && sent.length === 1 ? { status: 429, rateLimits: '60:error:key:quota_exceeded' } : { status: 200 };
    });
    t.send(event('1'));
    await t.flush(1000);
    expect(drops).toEqual({ 'ratelimit_backoff:error': 1 });
    t.send(event('2'));
    t.send(logs(3));
    await t.flush(1000);
    expect(sent).toEqual(['event', 'log']);
    expect(drops).toEqual({ 'ratelimit_backoff:error': 2 });
    vi.setSystemTime(NOW + 61_000);
    t.send(event('3'));
    await t.flush(1000);
    expect(sent).toEqual(['event', 'log', 'event']);
  });

  it('drops only the limited items of an envelope, and counts a log item by its logs', async () => {
    const bodies: string[] = [];
    const { t, drops } = harness(async ({ body }) => {
      bodies.push(body);
      return { status: 200, rateLimits: '60:log_item:project' };
    });
    t.send(event('1'));
    await t.flush(1000);
    t.send([{}, [event('2')[1][0], logs(5)[1][0]]]);
    await t.flush(1000);
    expect(parseEnvelope(bodies[1]).items.map((i) => i.header.type)).toEqual(['event']);
    expect(drops).toEqual({ 'ratelimit_backoff:log_item': 5 });
  });

  it('bounds the queue: waiting plus in flight never exceed maxQueue, the rest is dropped and counted', async () => {
    const pending: Array<(r: TransportResponse) => void> = [];
    const { t, drops } = harness(() => new Promise((resolve) => pending.push(resolve)), { maxQueue: 10 });
    for (let i = 0; i < 14; i++) t.send(event(String(i)));
    await Promise.resolve();
    expect(pending).toHaveLength(6); // at most 6 requests at once
    expect(drops).toEqual({ 'queue_overflow:error': 4 });
    while (pending.length) {
      pending.shift()!({ status: 200 });
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await t.flush(100)).toBe(true);
    t.send(event('later'));
    expect(drops).toEqual({ 'queue_overflow:error': 4 });
  });

  it('counts server errors as send_error and network failures (thrown or rejected) as network_error, without throwing', async () => {
    let n = 0;
    const { t, drops } = harness(((): Promise<TransportResponse> => {
      n++;
      if (n === 1) return Promise.resolve({ status: 500 });
      if (n === 2) return Promise.resolve({ status: 413 });
      if (n === 3) return Promise.reject(new Error('ECONNREFUSED'));
      throw new Error('synchronous failure');
    }) as MakeRequest);
    for (let i = 0; i < 4; i++) {
      expect(() => t.send(event(String(i)))).not.toThrow();
      await t.flush(1000);
    }
    t.send(logs(2));
    await t.flush(1000);
    expect(drops).toEqual({ 'send_error:error': 2, 'network_error:error': 2, 'network_error:log_item': 2 });
  });

  it('gives up on a request that never answers after its timeout, and frees its slot', async () => {
    vi.useFakeTimers();
    const { t, drops } = harness(() => new Promise(() => {}), { timeout: 200 });
    t.send(event());
    const flushed = t.flush(5000);
    await vi.advanceTimersByTimeAsync(1300);
    expect(await flushed).toBe(true);
    expect(drops).toEqual({ 'network_error:error': 1 });
  });

  it('flush resolves false when its own timeout passes first', async () => {
    let release!: () => void;
    const { t } = harness(() => new Promise((resolve) => (release = () => resolve({ status: 200 }))));
    t.send(event());
    expect(await t.flush(30)).toBe(false);
    release();
    expect(await t.flush(1000)).toBe(true);
    expect(await t.flush()).toBe(true);
  });

  it('never counts client reports (no loop), though rate limits still apply to them via `all`', async () => {
    const { t, drops } = harness(async () => ({ status: 429 }));
    t.send(report());
    await t.flush(1000);
    t.send(report());
    t.send(event());
    await t.flush(1000);
    expect(drops).toEqual({ 'ratelimit_backoff:error': 1 });
  });

  it('uses keepalive only within the browsers\' 64 KiB / 15 request budget', async () => {
    const pending: Array<{ keepalive: boolean; resolve: (r: TransportResponse) => void }> = [];
    const { t } = harness(({ keepalive }) => new Promise((resolve) => pending.push({ keepalive, resolve })), { keepalive: true });
    const big: Envelope = [{}, [[{ type: 'event' }, { message: 'x'.repeat(40_000) }]]];
    t.send(big);
    t.send(big);
    t.send(event());
    await Promise.resolve();
    expect(pending.map((p) => p.keepalive)).toEqual([true, false, true]);
    pending.forEach((p) => p.resolve({ status: 200 }));
    await t.flush(1000);
  });
});

describe('Node network call', () => {
  it('sends small envelopes as they are and gzips those over 32 KiB, with the rate-limit headers returned', async () => {
    const rec = await startRecorder(() => ({ headers: { 'x-sentry-rate-limits': '60:log_item:project', 'retry-after': '60' } }));
    try {
      const send = nodeRequest('faultline.javascript.node/test');
      const small = '{"event_id":"a"}\n{"type":"event"}\n{"message":"small"}';
      const large = `{"event_id":"b"}\n{"type":"event"}\n${JSON.stringify({ message: 'y'.repeat(GZIP_THRESHOLD) })}`;
      const res = await send({ url: `${rec.base}/api/7/envelope/?sentry_key=k`, body: small, keepalive: false, timeout: 5000 });
      expect(res).toEqual({ status: 200, rateLimits: '60:log_item:project', retryAfter: '60' });
      await send({ url: `${rec.base}/api/7/envelope/?sentry_key=k`, body: large, keepalive: false, timeout: 5000 });
      const [a, b] = rec.requests;
      expect(a.headers['content-encoding']).toBeUndefined();
      expect(a.body).toBe(small);
      expect(b.headers['content-encoding']).toBe('gzip');
      expect(b.raw.length).toBeLessThan(large.length / 10);
      expect(b.body).toBe(large);
      expect(a.headers['user-agent']).toBe('faultline.javascript.node/test');
      expect(a.headers['content-type']).toBe('application/x-sentry-envelope');
    } finally {
      await rec.close();
    }
  });

  it('times out a server that never answers', async () => {
    const sockets: import('node:net').Socket[] = [];
    const server = http.createServer(() => {});
    server.on('connection', (s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      await expect(nodeRequest('ua')({ url: `http://127.0.0.1:${port}/api/1/envelope/`, body: '{}', keepalive: false, timeout: 200 })).rejects.toThrow(/timed out/);
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });
});
