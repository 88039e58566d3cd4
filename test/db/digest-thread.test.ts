// The digest in a thread of its own (Postgres only: a thread cannot share PGlite's one connection).
// Events committed by the queue writer of this thread are handed over with their payloads and
// digested there; events the thread was not handed (another process's ingest) are read from the
// queue; stopping lets the thread finish and leaves nothing claimed.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../server/log.ts';
import { DIGEST_THREAD_NAME, DigestThread } from '../../server/pipeline/digest-thread.ts';
import { QueueWriter, type CommittedKinds, type QueueItem } from '../../server/pipeline/queue.ts';
import { testDbKind, type TestDatabase } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitFor } from '../helpers/wait.ts';

const onPostgres = testDbKind() === 'postgres';
let s: TestServer;
let tdb: TestDatabase;
beforeAll(async () => {
  if (!onPostgres) return;
  s = await startTestServer();
  tdb = s.tdb;
});
afterAll(() => s?.close());

let seq = 0;
const event = (type: string): QueueItem => {
  const eventId = (++seq).toString(16).padStart(32, '0');
  // Multi-byte characters, so that a payload's place among the handed-over bytes is not its string length.
  return { projectId: 1, kind: 'event', receivedAt: new Date(), payload: JSON.stringify({ event_id: eventId, exception: { values: [{ type, value: `n ${seq} né 日本 🎉`.repeat(seq % 3) }] } }), meta: { eventId } };
};

async function counts(): Promise<Record<string, number>> {
  const rows = await tdb.db.query<{ title: string; times_seen: number }>('SELECT title, times_seen FROM issues');
  return Object.fromEntries(rows.map((r) => [r.title, Number(r.times_seen)]));
}

describe.runIf(onPostgres)('the digest thread', () => {
  it('digests what this thread commits and what it finds queued, and stops cleanly', async () => {
    const connections = async () => (await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()'))[0].n;
    const before = await connections();
    // Queued by "another process" before the thread starts: never handed over, read from the queue.
    const other = new QueueWriter(tdb.db, { flushMs: 0 });
    await other.enqueue(Array.from({ length: 30 }, () => event('QueuedBefore')));

    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (m) => errors.push(m) };
    const thread = new DigestThread(
      // Polling only once a minute: the thread claims when a commit is reported (or, at start, what is
      // queued), so it cannot claim a commit's rows in the moment between the commit and its handover.
      // (It may in production: those rows are then read from the queue, as the HandedC's are here.)
      { databaseUrl: tdb.url!, poolSize: 3, prepareThreads: 0, worker: { batchSize: 100, intervalMs: 0, concurrency: 1, logConcurrency: 1, pollMs: 60_000 } },
      log,
    );
    // What is handed over is marked (HandedA → CachedA), to see that the thread digests the payloads it
    // was handed rather than reading the queued copies.
    const handed: string[] = [];
    // HandedC's are handed over with another receive time, as another copy of the event would be: the
    // digest reads those from the queue.
    const cache = {
      set: (key: string, payload: string, prepared: null | undefined, receivedMs: number) => (
        handed.push(key), thread.set(key, payload.replace('"Handed', '"Cached'), prepared, payload.includes('"HandedC"') ? receivedMs + 1 : receivedMs)
      ),
    };
    const queue = new QueueWriter(tdb.db, { flushMs: 1, cache });
    queue.on('committed', (what: CommittedKinds) => thread.committed(what));
    await thread.start();
    // It names itself, so that `top -H` and the benchmark's CPU split tell it from the other threads.
    const names = readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim());
    expect(names).toContain(DIGEST_THREAD_NAME);
    const total = async () => Object.values(await counts()).reduce((a, b) => a + b, 0);
    await waitFor('the queued events counted', async () => (await total()) === 30, 20_000);

    // Commits of 40 events each (one enqueue is one commit), each digested before the next is written.
    for (let round = 0; round < 3; round++) {
      await queue.enqueue(Array.from({ length: 40 }, (_, i) => event(i % 2 ? 'HandedA' : 'HandedB')));
      await waitFor(`round ${round} counted`, async () => (await total()) === 30 + 40 * (round + 1), 20_000);
    }
    await queue.enqueue(Array.from({ length: 10 }, () => event('HandedC')));
    expect(handed).toHaveLength(130);
    await waitFor('every event counted', async () => (await total()) === 160, 20_000);
    const byType = await tdb.db.query<{ type: string; n: number }>(`SELECT metadata->>'type' AS type, sum(times_seen)::int AS n FROM issues GROUP BY 1 ORDER BY 1`);
    expect(byType).toEqual([
      { type: 'CachedA', n: 60 },
      { type: 'CachedB', n: 60 },
      { type: 'HandedC', n: 10 },
      { type: 'QueuedBefore', n: 30 },
    ]);
    const [{ events }] = await tdb.db.query<{ events: number }>('SELECT count(*)::int AS events FROM events');
    expect(events).toBe(160);

    await thread.stop();
    const [{ queued }] = await tdb.db.query<{ queued: number }>('SELECT count(*)::int AS queued FROM ingest_queue');
    expect(queued).toBe(0);
    // Its connections are closed.
    await waitFor("the thread's connections closed", async () => (await connections()) <= before, 20_000);
    expect(errors).toEqual([]);
  });
});
