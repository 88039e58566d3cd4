// The server as a user runs it (`npm start` = `node --initial-old-space-size=128 --import tsx server/main.ts serve`), on the embedded
// database and on the local Postgres: first start prints the sign-in details and a DSN; the real
// @sentry/node sends to that DSN; the issue appears through the API; a second start creates nothing;
// and a process killed between acknowledging events and digesting them loses none and counts none twice.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../helpers/db.ts';
import { api, sendLogs, sendMany, sumOfCounts, sumOfLogCounts, TOKEN } from '../helpers/e2e-client.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

const variants: Array<{ name: string; setup: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> }> = [
  {
    name: 'embedded PGlite',
    setup: async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-e2e-'));
      return { env: { FAULTLINE_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    // The default wherever there is a second core: the digest in a thread of its own.
    name: 'Postgres, digest thread',
    setup: async () => {
      const db = await createPostgresDatabase('faultline_e2e');
      return { env: { DATABASE_URL: db.url, FAULTLINE_DIGEST_THREADS: '1' }, cleanup: db.drop };
    },
  },
  {
    name: 'Postgres, one thread',
    setup: async () => {
      const db = await createPostgresDatabase('faultline_e2e');
      // Everything on the main thread, events prepared from ingest's own parse.
      return { env: { DATABASE_URL: db.url, FAULTLINE_DIGEST_THREADS: '0' }, cleanup: db.drop };
    },
  },
];

describe.each(variants)('server process on $name', ({ setup }) => {
  const procs: ServerProcess[] = [];
  let cleanup: (() => Promise<void>) | null = null;
  afterAll(async () => {
    for (const p of procs) await p.stop();
    await cleanup?.();
  });

  it('starts, takes events from @sentry/node, restarts, and survives a kill without losing or double-counting events or logs', async () => {
    const s = await setup();
    cleanup = s.cleanup;
    const port = await freePort();
    const env = { ...s.env, PORT: String(port), FAULTLINE_ADMIN_TOKEN: TOKEN, FAULTLINE_ADMIN_EMAIL: 'ops@example.com' };
    const base = `http://127.0.0.1:${port}`;

    // 1. First start: prints address, sign-in, generated password, token and DSN.
    const first = await startServerProcess(env);
    procs.push(first);
    expect(first.output).toContain(`http://localhost:${port}`);
    expect(first.output).toContain('ops@example.com');
    expect(first.output).toMatch(/Password:\s+\S{12,}/);
    expect(first.output).toContain(TOKEN);
    // Started as `npm start` starts it, node runs with the flags the server needs (server/main.ts warns otherwise).
    expect(first.output).not.toContain('--initial-old-space-size');
    const dsn = first.dsn;
    expect(dsn).toMatch(new RegExp(`^http://[0-9a-f]{32}@localhost:${port}/\\d+$`));

    // 2. The real @sentry/node, changing only the DSN.
    const sendDsn = dsn.replace('localhost', '127.0.0.1');
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'test/e2e/send-with-sentry-node.mjs'), sendDsn, '5'], { cwd: ROOT, timeout: 30_000 });
    expect(stdout).toContain('flushed');
    const issues = await waitFor('the @sentry/node issue', async () => {
      const list = await api(base, '/organizations/faultline/issues/?query=');
      // The SDK sends its six envelopes concurrently: they may be digested in different batches.
      const hit = list.find((i: { title: string }) => i.title.startsWith('TypeError: Invoice'));
      const message = list.find((i: { title: string }) => i.title === 'e2e message from @sentry/node');
      return hit && Number(hit.count) === 5 && message ? list : null;
    });
    const typeError = issues.find((i: { title: string }) => i.title.startsWith('TypeError'));
    expect(typeError.userCount).toBe(3);
    expect(typeError.culprit).toMatch(/loadInvoice/);
    expect(issues.some((i: { title: string }) => i.title === 'e2e message from @sentry/node')).toBe(true);
    await first.stop();

    // 3. A second start on the same data creates nothing and prints the same DSN.
    const second = await startServerProcess(env);
    procs.push(second);
    expect(second.dsn).toBe(dsn);
    expect(second.output).not.toMatch(/Password:\s+\S{12,}/);
    expect(await api(base, '/organizations/')).toHaveLength(1);
    expect(await api(base, '/organizations/faultline/projects/')).toHaveLength(1);
    const before = await sumOfCounts(base);
    await second.stop();

    // 4. Ingest only (no digest): acknowledge 300 events, then kill -9.
    const ingestOnly = await startServerProcess(env, ['--role', 'ingest,web']);
    procs.push(ingestOnly);
    await sendMany(base, dsn, 300);
    await sendLogs(base, dsn, 20);
    expect(await sumOfCounts(base)).toBe(before);
    expect(await sumOfLogCounts(base)).toBe(0);
    await ingestOnly.kill();

    // 5. Full server, killed again while it digests; then a clean run counts every event exactly once.
    const digesting = await startServerProcess(env);
    procs.push(digesting);
    await new Promise((r) => setTimeout(r, 150));
    await digesting.kill();
    const last = await startServerProcess(env);
    procs.push(last);
    await waitFor('all 300 events counted', async () => (await sumOfCounts(base)) === before + 300);
    await waitFor('all 1,000 log records counted', async () => (await sumOfLogCounts(base)) === 1000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await sumOfCounts(base)).toBe(before + 300);
    expect(await sumOfLogCounts(base)).toBe(1000);
    const stored = await api(base, `/organizations/faultline/logs/?statsPeriod=1h&limit=1000&query=${encodeURIComponent('"crash probe job"')}`);
    expect(stored).toHaveLength(1000);
    await last.stop();
  });
});
