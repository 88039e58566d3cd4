// Postgres goes away under a running server (its connections cut, nothing listening), as in a
// restart or failover of the database: the server still takes events from the real @sentry/node and
// logs, with 200, into its local spool; when the database is back they are digested, each counted
// once. Then once more, and the server is killed while the database is away: the next start puts
// what the spool holds into the queue. The server reaches Postgres through a TCP proxy
// (test/helpers/db-proxy.ts), which plays the database going away and coming back.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isSpoolFile } from '../../server/pipeline/spool.ts';
import { createPostgresDatabase } from '../helpers/db.ts';
import { DatabaseProxy } from '../helpers/db-proxy.ts';
import { sendLogs, sendMany, sumOfCounts, sumOfLogCounts, TOKEN } from '../helpers/e2e-client.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

const procs: ServerProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const p of procs) await p.kill();
  for (const c of cleanups.reverse()) await c();
});

const spoolFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter(isSpoolFile) : []);

describe('the server while Postgres is away', () => {
  it('acknowledges events and logs into its spool, and digests them once the database is back, also after a kill', async () => {
    const db = await createPostgresDatabase();
    cleanups.push(() => db.drop());
    const proxy = await DatabaseProxy.start(db.url);
    cleanups.push(() => proxy.down());

    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'faultline-e2e-spool-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: proxy.url,
      FAULTLINE_DATA_DIR: dataDir,
      PORT: String(port),
      FAULTLINE_ADMIN_TOKEN: TOKEN,
    };
    const spoolDir = path.join(dataDir, 'spool');
    const server = await startServerProcess(env);
    procs.push(server);
    const dsn = server.dsn.replace('localhost', '127.0.0.1');
    const sendWithSentryNode = async (n: number) => {
      const { stdout } = await run(process.execPath, [path.join(ROOT, 'test/e2e/send-with-sentry-node.mjs'), dsn, String(n)], { cwd: ROOT, timeout: 30_000 });
      expect(stdout).toContain('flushed');
    };
    // 3 events and a message, digested while the database is there (the key is now known to ingest).
    await sendWithSentryNode(3);
    await waitFor('the first events counted', async () => (await sumOfCounts(base)) === 4);

    // 1. The database goes away: every request is still acknowledged, into the spool.
    await proxy.down();
    await sendWithSentryNode(5);
    await sendMany(base, dsn, 40);
    await sendLogs(base, dsn, 4);
    expect(spoolFiles(spoolDir).length).toBeGreaterThan(0);
    await waitFor('the warning about the database', async () => /the database cannot be reached .*spooling accepted items/.test(server.output));
    // The web API cannot answer without it, and says so: 503, to be retried.
    const apiWhileAway = await fetch(`${base}/api/0/organizations/faultline/issues/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(apiWhileAway.status).toBe(503);
    expect(apiWhileAway.headers.get('retry-after')).toBe('5');
    expect(await apiWhileAway.json()).toEqual({ detail: 'the database is temporarily unavailable, try again later', code: 'unavailable' });

    // It comes back: everything spooled is digested, once.
    await proxy.up();
    await waitFor('the spooled events counted', async () => (await sumOfCounts(base)) === 4 + 6 + 40, 60_000);
    await waitFor('the spooled logs counted', async () => (await sumOfLogCounts(base)) === 200, 60_000);
    await waitFor('the spool emptied', async () => spoolFiles(spoolDir).length === 0);
    expect(server.output).toContain('the database is back');

    // 2. Away again, and the server is killed (no shutdown code runs) with the spool full.
    await proxy.down();
    await sendMany(base, dsn, 30);
    await sendLogs(base, dsn, 2);
    expect(spoolFiles(spoolDir).length).toBeGreaterThan(0);
    await server.kill();
    await proxy.up();

    // The next start puts the spool into the queue: nothing acknowledged is lost, nothing counted twice.
    const restarted = await startServerProcess(env);
    procs.push(restarted);
    await waitFor('the events spooled before the kill counted', async () => (await sumOfCounts(base)) === 80, 60_000);
    await waitFor('the logs spooled before the kill counted', async () => (await sumOfLogCounts(base)) === 300, 60_000);
    expect(spoolFiles(spoolDir)).toEqual([]);
    // And still exactly those after a moment more.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await sumOfCounts(base)).toBe(80);
    expect(await sumOfLogCounts(base)).toBe(300);
    await restarted.stop();
  });
});
