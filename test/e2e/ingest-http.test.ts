// Ingest over a real socket: the node:http server hands ingest requests to the ingest handler itself
// (server/ingest/node.ts) and everything else to the hono app. Tests through app.request() never take
// that path, so this one checks, on a started server, what an SDK sees from it: answers, CORS, the
// error shape, path forms, body encodings and limits, and that other requests still reach the app.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const TOKEN = 'flt_e2e_ingest_http_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
let server: ServerProcess;
let dir: string;
let base: string;
let key: string;
let projectId: string;

const envelope = (eventId: string, event: Record<string, unknown>) => {
  const payload = JSON.stringify({ event_id: eventId, ...event });
  return `${JSON.stringify({ event_id: eventId })}\n${JSON.stringify({ type: 'event', length: Buffer.byteLength(payload) })}\n${payload}\n`;
};
const hex = (n: number) => n.toString(16).padStart(32, '0');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-ingest-http-'));
  const port = await freePort();
  // A small body cap, to see the 413 come from the socket path.
  server = await startServerProcess({ FAULTLINE_DATA_DIR: dir, PORT: String(port), FAULTLINE_ADMIN_TOKEN: TOKEN, FAULTLINE_MAX_BODY_BYTES: '200000' });
  base = `http://127.0.0.1:${port}`;
  const dsn = new URL(server.dsn);
  key = dsn.username;
  projectId = dsn.pathname.slice(1);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ingest on the node:http listener', () => {
  it('answers an envelope with its id, JSON with a length (no chunking), and the CORS headers browser SDKs need', async () => {
    const res = await fetch(`${base}/api/${projectId}/envelope/?sentry_key=${key}&sentry_version=7`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: envelope(hex(1), { message: 'socket path one' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: hex(1) });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-length')).toBe(String(`{"id":"${hex(1)}"}`.length));
    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-sentry-error');
  });

  it('gives a refusal whose detail is not ASCII its length in bytes', async () => {
    const item = Buffer.from('{"message": é}');
    const body = Buffer.concat([Buffer.from(`{"event_id":"${hex(9)}"}\n{"type":"event","length":${item.length}}\n`), item, Buffer.from('\n')]);
    const res = await fetch(`${base}/api/${projectId}/envelope/?sentry_key=${key}`, { method: 'POST', body });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).detail).toContain('é');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  });

  it('answers the CORS preflight without auth', async () => {
    const res = await fetch(`${base}/api/${projectId}/envelope/`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-sentry-auth');
  });

  it('takes a gzip body, the X-Sentry-Auth header, /store/, and a DSN with a path prefix', async () => {
    const auth = { 'x-sentry-auth': `Sentry sentry_key=${key}, sentry_version=7, sentry_client=raw-test/1.0` };
    const gz = await fetch(`${base}/api/${projectId}/envelope/`, { method: 'POST', headers: { ...auth, 'content-encoding': 'gzip' }, body: gzipSync(envelope(hex(2), { message: 'gzipped' })) });
    expect(gz.status).toBe(200);
    const store = await fetch(`${base}/api/${projectId}/store/`, { method: 'POST', headers: auth, body: JSON.stringify({ event_id: hex(3), message: 'stored' }) });
    expect(await store.json()).toEqual({ id: hex(3) });
    const prefixed = await fetch(`${base}/sentry/api/${projectId}/envelope/?sentry_key=${key}`, { method: 'POST', body: envelope(hex(4), { message: 'prefixed' }) });
    expect(await prefixed.json()).toEqual({ id: hex(4) });
  });

  it('fails bad requests with a 4xx, {"detail"} and X-Sentry-Error, CORS included', async () => {
    const cases: Array<[string, RequestInit, number, RegExp]> = [
      [`/api/${projectId}/envelope/?sentry_key=${key}`, { body: '{"event_id":"x"}\n{"type":"event","length":999}\n{}' }, 400, /invalid envelope/],
      [`/api/${projectId}/envelope/?sentry_key=${key}`, { body: envelope(hex(5), {}).replace('{"event_id"', '{"event_id" broken') }, 400, /invalid/],
      [`/api/${projectId}/envelope/`, { body: envelope(hex(6), {}) }, 401, /missing authorization/],
      [`/api/${projectId}/envelope/?sentry_key=${'f'.repeat(32)}`, { body: envelope(hex(7), {}) }, 403, /unknown DSN public key/],
      [`/api/abc/envelope/?sentry_key=${key}`, { body: envelope(hex(8), {}) }, 400, /invalid project id/],
      [`/api/${projectId}/envelope/?sentry_key=${key}`, { body: 'x'.repeat(300_000) }, 413, /exceeds size limit/],
    ];
    for (const [p, init, status, detail] of cases) {
      const res = await fetch(`${base}${p}`, { method: 'POST', ...init });
      expect(res.status, p).toBe(status);
      const body = await res.json();
      expect(body.detail, p).toMatch(detail);
      expect(res.headers.get('x-sentry-error'), p).toBe(body.detail);
      expect(res.headers.get('access-control-allow-origin'), p).toBe('*');
    }
  });

  it('leaves every other request to the app: the web API, its errors, and unknown paths', async () => {
    const health = await fetch(`${base}/_health`);
    expect(await health.json()).toEqual({ ok: true });
    const badToken = await fetch(`${base}/api/0/organizations/faultline/issues/`, { method: 'POST', headers: { authorization: 'Bearer flt_wrong' }, body: '{}' });
    expect(badToken.status).toBe(401);
    const list = await fetch(`${base}/api/0/organizations/faultline/issues/?query=`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(list.status).toBe(200);
    const unknown = await fetch(`${base}/api/${projectId}/nothing-here/`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('stores what it acknowledged: the events reach their issues', async () => {
    const deadline = Date.now() + 30_000;
    let titles: string[] = [];
    while (Date.now() < deadline) {
      const res = await fetch(`${base}/api/0/organizations/faultline/issues/?query=`, { headers: { authorization: `Bearer ${TOKEN}` } });
      titles = ((await res.json()) as Array<{ title: string }>).map((i) => i.title);
      if (['socket path one', 'gzipped', 'stored', 'prefixed'].every((t) => titles.includes(t))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(titles).toEqual(expect.arrayContaining(['socket path one', 'gzipped', 'stored', 'prefixed']));
  });
});
