// The local spool, below the HTTP layer: while the database cannot be reached, the queue writer still
// acknowledges, writing each commit to a spool file; when the database is back, the files go into the
// queue with their exact bytes and receive times, once each, oldest first, and commits go to the queue
// again. A file that cannot be replayed is set aside without holding up the others.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/client.ts';
import { connectPostgres, databaseUnavailable } from '../../server/db/url.ts';
import { IngestError } from '../../server/ingest/errors.ts';
import { QueueWriter, type CommittedKinds, type QueueItem } from '../../server/pipeline/queue.ts';
import { Spool, type QueueRowValues } from '../../server/pipeline/spool.ts';
import { openTestDatabase, testDbKind, type TestDatabase } from '../helpers/db.ts';
import { freePort } from '../helpers/process.ts';
import { waitFor } from '../helpers/wait.ts';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await openTestDatabase();
});
afterAll(() => tdb?.close());

const dirs: string[] = [];
const writers: QueueWriter[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
  await tdb.db.query('DELETE FROM ingest_queue');
  await tdb.db.query('DELETE FROM event_payloads');
  await tdb.db.query('DELETE FROM spool_replays');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const spoolDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'faultline-spool-test-'));
  dirs.push(d);
  return d;
};

/** The test database, unreachable while `away.on`: every query fails as postgres.js fails to connect. */
function flaky(db: Database) {
  const away = { on: false, calls: 0 };
  const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 });
  const wrapped: Database = {
    ...db,
    query: (text, params, opts) => (away.calls++, away.on ? Promise.reject(refused()) : db.query(text, params, opts)),
    begin: (fn) => (away.calls++, away.on ? Promise.reject(refused()) : db.begin(fn)),
  };
  return { db: wrapped, away };
}

function writer(db: Database, spool: Spool): QueueWriter {
  const w = new QueueWriter(db, { flushMs: 0, spool });
  writers.push(w);
  return w;
}

let seq = 0;
const nextId = () => (++seq).toString(16).padStart(32, '0');
const event = (text: string): QueueItem => ({ projectId: 1, kind: 'event', receivedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, seq)), payload: JSON.stringify({ message: text, n: seq }), meta: { eventId: nextId() } });
const log = (text: string): QueueItem => ({ projectId: 1, kind: 'log', receivedAt: new Date(), payload: JSON.stringify({ items: [{ body: text, level: 'info' }] }), meta: { eventId: nextId() } });

const queued = async () => (await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_queue'))[0].n;

describe('the spool', () => {
  it('acknowledges while the database is away, then puts every item into the queue, byte for byte, when it is back', async () => {
    const { db, away } = flaky(tdb.db);
    const spool = new Spool(spoolDir());
    const w = writer(db, spool);
    const seen: string[] = [];
    const committed: CommittedKinds[] = [];
    w.on('database-down', () => seen.push('down'));
    w.on('database-back', () => seen.push('back'));
    w.on('committed', (k: CommittedKinds) => committed.push(k));

    away.on = true;
    // Multi-byte and escaped characters: the spool keeps the exact text.
    const items = [event('first "é" 日本 🎉\\n'), event('second'), log('a log line')];
    for (const it of items) await w.enqueue([it]);
    await Promise.all([w.enqueue([event('third')]), w.enqueue([event('fourth')])]);
    expect(seen).toEqual(['down']);
    expect((await spool.files()).length).toBeGreaterThanOrEqual(4);
    expect(spool.size).toBeGreaterThan(0);
    expect(committed).toEqual([]);
    // Once away, commits go straight to the spool: one failed query, not one per commit.
    const callsWhileAway = away.calls;
    await w.enqueue([event('fifth')]);
    expect(away.calls).toBe(callsWhileAway);
    expect(await queued()).toBe(0);

    away.on = false;
    await waitFor('the spool replayed', async () => (await spool.files()).length === 0 && seen.includes('back'), 10_000);
    expect(seen).toEqual(['down', 'back']);
    expect(spool.size).toBe(0);
    expect(await queued()).toBe(6);
    expect(committed.some((k) => k.events) && committed.some((k) => k.logs)).toBe(true);
    const stored = await tdb.db.query<{ event_id: string; payload: string; received_ms: number }>(
      `SELECT replace(event_id::text, '-', '') AS event_id, payload, (extract(epoch FROM received_at) * 1000)::float8 AS received_ms FROM event_payloads ORDER BY event_id`,
    );
    const first = stored.find((r) => r.event_id === items[0].meta.eventId)!;
    expect(first.payload).toBe(items[0].payload);
    expect(first.received_ms).toBe(items[0].receivedAt.getTime());
    const [logRow] = await tdb.db.query<{ payload: string }>(`SELECT payload FROM ingest_queue WHERE kind = 'log'`);
    expect(logRow.payload).toBe(items[2].payload);
    // Back to normal: the next commit goes to the queue, not the spool.
    await w.enqueue([event('after')]);
    expect(await queued()).toBe(7);
    expect(await spool.files()).toEqual([]);
  });

  it('replays the files an earlier run left, at start, and a file already replayed adds nothing', async () => {
    const dir = spoolDir();
    const spool = new Spool(dir);
    const row = (text: string): QueueRowValues => [1, 'event', new Date().toISOString(), nextId(), '{}', JSON.stringify({ message: text })];
    await spool.write([row('left behind 1'), row('left behind 2')]);
    await spool.write([row('replayed before the crash')]);
    const [, second] = await spool.files();
    // As if the process died after committing the second file and before removing it.
    await tdb.db.query('INSERT INTO spool_replays (id) VALUES ($1)', [second.replace(/\.json\.gz$/, '')]);
    // And a write that never finished (never acknowledged).
    writeFileSync(path.join(dir, '.tmp-0000-unfinished.json.gz'), '[[1, "ev');

    const again = new Spool(dir);
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    writer(tdb.db, again);
    // A mark from two days ago, of a file long gone.
    await tdb.db.query(`INSERT INTO spool_replays (id, replayed_at) VALUES ('old-file', now() - interval '2 days')`);
    const marks = async () => (await tdb.db.query<{ id: string }>('SELECT id FROM spool_replays ORDER BY id')).map((r) => r.id);
    // Marks stay a day after their files (another process may be about to replay the same file), then go.
    await waitFor('the files replayed', async () => (await again.files()).length === 0 && !(await marks()).includes('old-file'), 10_000);
    expect(await marks()).toHaveLength(2);
    expect(await queued()).toBe(2);
    const payloads = (await tdb.db.query<{ payload: string }>('SELECT payload FROM event_payloads ORDER BY payload')).map((r) => JSON.parse(r.payload).message);
    expect(payloads).toEqual(['left behind 1', 'left behind 2']);
  });

  it('sets a file it cannot replay aside, and replays the rest', async () => {
    const dir = spoolDir();
    const spool = new Spool(dir);
    writeFileSync(path.join(dir, '000000000000000-00000000-corrupt.json.gz'), gzipSync('{"not": "rows"}'));
    writeFileSync(path.join(dir, '000000000000000-00000001-not-gzip.json.gz'), '[]');
    await spool.write([[1, 'event', new Date().toISOString(), nextId(), '{}', '{"message":"good"}']]);
    const failed: string[] = [];
    const w = writer(tdb.db, new Spool(dir));
    w.on('spool-failed', (name: string) => failed.push(name));
    await waitFor('the good file replayed', async () => (await queued()) === 1, 10_000);
    await waitFor('the corrupt files set aside', () => failed.length === 2, 10_000);
    expect(failed).toEqual(['000000000000000-00000000-corrupt.json.gz', '000000000000000-00000001-not-gzip.json.gz']);
    expect(readdirSync(path.join(dir, 'failed')).sort()).toEqual(['000000000000000-00000000-corrupt.json.gz', '000000000000000-00000001-not-gzip.json.gz']);
    expect(await new Spool(dir).files()).toEqual([]);
  });

  it('answers 503 when the spool is full, and does not spool a query that failed for its own reasons', async () => {
    const { db, away } = flaky(tdb.db);
    const spool = new Spool(spoolDir(), { maxBytes: 2048 });
    const w = writer(db, spool);
    away.on = true;
    await w.enqueue([event('small')]);
    // Spool files are gzipped: random text, so that it stays big.
    const big = { ...event('x'), payload: JSON.stringify({ message: randomBytes(4096).toString('base64') }) };
    const full = await w.enqueue([big]).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(IngestError);
    expect((full as IngestError).status).toBe(503);
    expect((full as IngestError).message).toMatch(/spool is full/);
    expect(await spool.files()).toHaveLength(1);

    // A database that answers with an error of the query itself: 503, nothing spooled.
    const broken: Database = { ...tdb.db, query: () => Promise.reject(Object.assign(new Error('invalid input syntax for type uuid'), { name: 'PostgresError', code: '22P02' })) };
    const other = new Spool(spoolDir());
    const w2 = writer(broken, other);
    const failed = await w2.enqueue([event('bad')]).catch((e: unknown) => e);
    expect((failed as IngestError).status).toBe(503);
    expect(await other.files()).toEqual([]);
  });
});

describe.runIf(testDbKind() === 'postgres')('what counts as the database being away (real postgres.js errors)', () => {
  const errorOf = async (url: string, text: string, options: Record<string, unknown> = {}) => {
    const sql = connectPostgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2, ...options });
    try {
      await sql.unsafe(text);
      return null;
    } catch (err) {
      return err;
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  };

  it('nothing listening, no socket, a closed connection, a terminated backend: away; an error of the query: not', async () => {
    const closed = await freePort();
    expect(databaseUnavailable(await errorOf(`postgres://postgres@127.0.0.1:${closed}/postgres`, 'SELECT 1'))).toBe(true);
    expect(databaseUnavailable(await errorOf('postgres://postgres@/postgres?host=/nonexistent-socket-dir', 'SELECT 1'))).toBe(true);
    // The backend is terminated from another session while this one waits in a query.
    const sql = connectPostgres(tdb.url!, { max: 1, onnotice: () => {} });
    const [{ pid }] = await sql.unsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
    const waiting = sql.unsafe('SELECT pg_sleep(5)').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await tdb.db.query('SELECT pg_terminate_backend($1)', [pid]);
    const terminated = await waiting;
    await sql.end({ timeout: 1 }).catch(() => {});
    expect(terminated).toBeInstanceOf(Error);
    expect(databaseUnavailable(terminated)).toBe(true);

    expect(databaseUnavailable(await errorOf(tdb.url!, `SELECT 'not a uuid'::uuid`))).toBe(false);
    expect(databaseUnavailable(await errorOf(tdb.url!, 'SELECT * FROM no_such_table'))).toBe(false);
    expect(databaseUnavailable(new Error('anything else'))).toBe(false);
  });
});
