// The durable queue's group commit and the digest worker's pacing, below the HTTP layer: every
// acknowledged item is in the queue once with its exact bytes, whatever the size of the statement
// that carried it; and under steady traffic the digest waits for its interval between batches,
// without ever reporting idle while something is queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueWriter, queueInsert, type QueueItem } from '../../server/pipeline/queue.ts';
import { DigestWorker } from '../../server/pipeline/worker.ts';
import { testDbKind } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

let seq = 0;
const nextId = () => (++seq).toString(16).padStart(32, '0');

/** Payload text that JSON and array quoting treat differently: quotes, backslashes, escapes, non-ASCII, raw whitespace. */
function awkwardPayload(n: number): string {
  const value = `n=${n} "quoted" C:\\path\\file \\u0000 tab\tné 日本 🎉 ${'x'.repeat(n % 7 === 0 ? 9000 : 10)}`;
  return `{"message":${JSON.stringify(value)},\n  "level":"error", "extra": {"raw": "\\\\ \\" \\n"}}`;
}

function eventItem(payload: string, eventId = nextId()): QueueItem {
  return { projectId: 1, kind: 'event', receivedAt: new Date(), payload, meta: { eventId, client: 'test/1.0' } };
}

function logItem(n: number): QueueItem {
  return { projectId: 1, kind: 'log', receivedAt: new Date(), payload: JSON.stringify({ items: [{ body: `log "${n}" \\ line`, level: 'info', timestamp: Date.now() / 1000 }] }), meta: { eventId: nextId() } };
}

describe('group commit', () => {
  it('uses one statement text per capacity, padded with empty rows', () => {
    const row = [1, 'event', new Date().toISOString(), nextId(), '{}', '{}'];
    const five = queueInsert(Array.from({ length: 5 }, () => row));
    const sixteen = queueInsert(Array.from({ length: 16 }, () => row));
    const seventeen = queueInsert(Array.from({ length: 17 }, () => row));
    expect(five.text).toBe(sixteen.text);
    expect(seventeen.text).not.toBe(sixteen.text);
    expect(five.params).toHaveLength(16 * 6);
    expect(five.params.slice(5 * 6).every((p) => p === null)).toBe(true);
    expect(five.prepare).toBe(true);
    // Past the largest capacity (one request with that many items) the statement is exact and not kept.
    const huge = queueInsert(Array.from({ length: 1500 }, () => row));
    expect(huge.params).toHaveLength(1500 * 6);
    expect(huge.prepare).toBe(false);
  });

  it('stores every item of bursts of any size once, with its exact bytes', async () => {
    const queue = new QueueWriter(s.tdb.db, { flushMs: 2, maxInFlight: 1 });
    const before = await s.queueLength();
    const sent: QueueItem[] = [];
    // Bursts of concurrent requests that fill statements of every capacity, and one request of many items.
    for (const size of [1, 3, 20, 70, 300]) {
      const requests = Array.from({ length: size }, (_, i) => (i % 5 === 4 ? [logItem(i)] : [eventItem(awkwardPayload(i))]));
      if (size === 20) requests.push(Array.from({ length: 40 }, (_, i) => eventItem(awkwardPayload(1000 + i))));
      for (const r of requests) sent.push(...r);
      await Promise.all(requests.map((r) => queue.enqueue(r)));
    }
    await queue.close();

    const events = sent.filter((i) => i.kind === 'event');
    const logs = sent.filter((i) => i.kind === 'log');
    expect(await s.queueLength()).toBe(before + sent.length);
    const stored = await s.tdb.db.query<{ event_id: string; payload: string; meta: string }>(
      `SELECT replace(event_id::text, '-', '') AS event_id, payload, meta FROM event_payloads WHERE event_id = ANY($1::uuid[])`,
      [events.map((e) => e.meta.eventId)],
    );
    const byId = new Map(stored.map((r) => [r.event_id, r]));
    for (const e of events) {
      expect(byId.get(e.meta.eventId)?.payload).toBe(e.payload);
      expect(JSON.parse(byId.get(e.meta.eventId)!.meta)).toEqual(e.meta);
    }
    // Event rows in the queue carry no payload (it is in event_payloads); log containers carry theirs.
    const queued = await s.tdb.db.query<{ kind: string; event_id: string | null; payload: string | null; meta: string }>(
      `SELECT kind, replace(event_id::text, '-', '') AS event_id, payload, meta FROM ingest_queue ORDER BY id`,
    );
    expect(queued.filter((q) => q.kind === 'event' && q.payload === null).map((q) => q.event_id).sort()).toEqual(events.map((e) => e.meta.eventId).sort());
    expect(queued.filter((q) => q.kind === 'log').map((q) => q.payload).sort()).toEqual(logs.map((l) => l.payload).sort());
    expect(queued.filter((q) => q.kind === 'log').every((q) => q.event_id === null)).toBe(true);
  });

  it('keeps the first payload of an event id sent twice in one statement, and queues both copies', async () => {
    const queue = new QueueWriter(s.tdb.db, { flushMs: 20, maxInFlight: 1 });
    const id = nextId();
    const first = eventItem('{"message":"first copy"}', id);
    const retry = eventItem('{"message":"retried copy"}', id);
    await Promise.all([queue.enqueue([first]), queue.enqueue([retry])]);
    await queue.close();
    const rows = await s.tdb.db.query<{ payload: string }>(`SELECT payload FROM event_payloads WHERE event_id = $1::uuid`, [id]);
    expect(rows.map((r) => r.payload)).toEqual(['{"message":"first copy"}']);
    const [{ n }] = await s.tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingest_queue WHERE event_id = $1::uuid`, [id]);
    expect(n).toBe(2);
    // The digest counts it once.
    await s.drain();
    const [{ events }] = await s.tdb.db.query<{ events: number }>(`SELECT count(*)::int AS events FROM events WHERE event_id = $1::uuid`, [id]);
    expect(events).toBe(1);
    expect(await s.queueLength()).toBe(0);
  });
});

// Pacing applies to the event loops, which only Postgres runs (PGlite has one loop for everything).
describe.skipIf(testDbKind() === 'pglite')('digest pacing (Postgres)', () => {
  const INTERVAL = 2000;
  let worker: DigestWorker;
  let queue: QueueWriter;
  const stored = async (id: string) =>
    (await s.tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE event_id = $1::uuid`, [id]))[0].n === 1;
  const waitStored = async (id: string) => {
    while (!(await stored(id))) await new Promise((r) => setTimeout(r, 10));
    return performance.now();
  };
  const event = (text: string) => eventItem(JSON.stringify({ message: text, level: 'error' }));

  beforeAll(async () => {
    await s.drain();
    worker = new DigestWorker(s.tdb.db, { batchSize: 500, intervalMs: INTERVAL, concurrency: 1, logConcurrency: 1, pollMs: 60_000 });
    queue = new QueueWriter(s.tdb.db, { flushMs: 0 });
    queue.on('committed', (what) => worker.committed(what));
    worker.start();
    await worker.idle();
  });
  afterAll(async () => {
    await queue?.close();
    await worker?.stop();
  });

  it('digests the first event after a quiet spell at once', async () => {
    const t0 = performance.now();
    const a = event('pacing first');
    await queue.enqueue([a]);
    expect((await waitStored(a.meta.eventId)) - t0).toBeLessThan(INTERVAL / 2);
    await worker.idle();
  });

  it('under steady traffic, digests in about one batch per interval; when the traffic stops, at once', async () => {
    const batchesBefore = worker.stats.batches;
    const t0 = performance.now();
    const sent: QueueItem[] = [];
    while (performance.now() - t0 < 1.25 * INTERVAL) {
      const e = event(`steady ${sent.length}`);
      sent.push(e);
      await queue.enqueue([e]);
      await new Promise((r) => setTimeout(r, 15));
    }
    const stoppedAt = performance.now();
    // Queued but possibly paced: idle() must not resolve before every event is stored.
    await worker.idle();
    const doneAt = performance.now();
    for (const e of sent) expect(await stored(e.meta.eventId)).toBe(true);
    // Without pacing every commit would start a batch (over a hundred here).
    expect(worker.stats.batches - batchesBefore).toBeLessThanOrEqual(6);
    // The last events wait for the traffic to go quiet (QUIET_MS), not for the rest of an interval.
    expect(doneAt - stoppedAt).toBeLessThan(INTERVAL / 2);
  });

  it('stops at once while pacing, leaving what is queued for the next start', async () => {
    // Events keep arriving, so the loop is pacing when stop() comes.
    const t0 = performance.now();
    const sent: QueueItem[] = [];
    while (performance.now() - t0 < INTERVAL / 2) {
      const e = event(`before stop ${sent.length}`);
      sent.push(e);
      await queue.enqueue([e]);
      await new Promise((r) => setTimeout(r, 15));
    }
    const t = performance.now();
    await worker.stop();
    expect(performance.now() - t).toBeLessThan(INTERVAL / 2);
    const left = (await Promise.all(sent.map((e) => stored(e.meta.eventId)))).filter((x) => !x).length;
    expect(left).toBeGreaterThan(0);
    expect(await s.queueLength()).toBe(left);
    await s.drain();
    for (const e of sent) expect(await stored(e.meta.eventId)).toBe(true);
  });
});

describe('queue upkeep', () => {
  it('vacuums the queue table after every so many digested rows, so deleted rows do not pile up', async () => {
    await s.drain();
    const size = async () => Number((await s.tdb.db.query<{ n: number | string }>(`SELECT pg_relation_size('ingest_queue') AS n`))[0].n);
    const worker = new DigestWorker(s.tdb.db, { batchSize: 100, vacuumAfterRows: 100, concurrency: 1, logConcurrency: 1, pollMs: 60_000 });
    const queue = new QueueWriter(s.tdb.db, { flushMs: 0 });
    queue.on('committed', (what) => worker.committed(what));
    try {
      // Enqueued before the worker starts: one batch of exactly 100 rows, then the VACUUM.
      await queue.enqueue(Array.from({ length: 100 }, (_, i) => eventItem(JSON.stringify({ message: `upkeep ${i}`, level: 'error' }))));
      expect(await size()).toBeGreaterThan(0);
      worker.start();
      await worker.idle();
      expect(await s.queueLength()).toBe(0);
      expect(worker.stats.vacuums).toBe(1);
      // Every row was dead, so VACUUM removed them and gave the empty pages back.
      expect(await size()).toBe(0);
    } finally {
      await queue.close();
      await worker.stop();
    }
  });
});
