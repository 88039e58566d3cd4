// The real app, built by the real factory on a fresh test database, driven without a network
// (app.request). The digest runs only when a test calls drain(), so tests can look at both sides
// of the queue.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../../server/config.ts';
import { projectKeys } from '../../server/db/schema.ts';
import { silentLogger } from '../../server/log.ts';
import { createRuntime, type Runtime } from '../../server/runtime.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';
import { FIXTURE_KEY, type SdkFixture } from './fixtures.ts';

export const TEST_TOKEN = 'flt_test_token_0123456789abcdef0123456789abcdef';
export { FIXTURE_KEY } from './fixtures.ts';

export interface TestServer {
  rt: Runtime;
  tdb: TestDatabase;
  /** A request to the app, e.g. `req('/api/1/store/', { method: 'POST', body })`. */
  req(path: string, init?: RequestInit): Promise<Response>;
  /** Replays a recorded SDK request byte for byte. */
  replay(f: SdkFixture): Promise<Response>;
  /** Replays a recorded SDK request, expects 200, returns the event id. */
  send(f: SdkFixture): Promise<string>;
  /** A web API call with the admin token; parses JSON. */
  api<T = any>(path: string, init?: RequestInit & { json?: unknown; token?: string | null }): Promise<{ status: number; body: T; headers: Headers }>;
  /** Digests everything queued; returns the number of events stored. */
  drain(): Promise<number>;
  queueLength(): Promise<number>;
  /** Serves the app over HTTP on 127.0.0.1 (for real clients that need a URL); returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  const tdb = await openTestDatabase();
  // A spool of its own: files one test left (its database went away) must not go into another's.
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'faultline-spool-'));
  const config = testConfig({ FAULTLINE_ADMIN_TOKEN: TEST_TOKEN, PUBLIC_URL: 'http://faultline.test', FAULTLINE_QUEUE_FLUSH_MS: '0', FAULTLINE_SPOOL_DIR: spoolDir, ...overrides });
  const rt = await createRuntime(config, silentLogger, { db: tdb.db, startWorker: false });
  // Project 1 also accepts the key the fixtures were recorded with.
  await tdb.db.orm.insert(projectKeys).values({ projectId: 1, label: 'fixtures', publicKey: FIXTURE_KEY, secretKey: '5ec2e75ec2e75ec2e75ec2e75ec2e75e' });

  const req = (path: string, init?: RequestInit) => Promise.resolve(rt.app.request(path, init));
  const servers: Array<{ close(cb: () => void): void }> = [];
  const replay = (f: SdkFixture) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(f.headers)) if (k !== 'host' && k !== 'content-length') headers.set(k, v);
    return req(f.url, { method: f.method, headers, body: new Uint8Array(f.body) });
  };
  return {
    rt,
    tdb,
    req,
    replay,
    async send(f) {
      const res = await replay(f);
      if (res.status !== 200) throw new Error(`${f.file}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    async api(path, init = {}) {
      const { json, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token ?? TEST_TOKEN}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      const res = await req(path.startsWith('/api/') ? path : `/api/0${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    async drain() {
      const results = await rt.worker!.drain();
      return results.reduce((n, r) => n + r.stored, 0);
    },
    async listen() {
      const { serve } = await import('@hono/node-server');
      return new Promise<string>((resolve) => {
        const server = serve({ fetch: rt.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
        servers.push(server);
      });
    },
    async queueLength() {
      const [row] = await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_queue');
      return row.n;
    },
    async close() {
      for (const srv of servers) await new Promise<void>((r) => srv.close(() => r()));
      await rt.close();
      await tdb.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}
