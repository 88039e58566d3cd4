// Where the digest prepares events: in worker threads (the default on Postgres, FAULTLINE_DIGEST_THREADS)
// or inline on the main thread, yielding to the event loop every few events so that ingest requests in
// the same process are not held up behind a whole chunk.
import { Worker } from 'node:worker_threads';
import { prepareEvent, type PreparedEvent, type QueueRow } from './prepare.ts';
import type { PrepareRequest } from './prepare-worker.ts';
import { payloadText } from './payload-cache.ts';
import type { QueueMeta } from './queue.ts';

export type PrepareResult = PreparedEvent | { queueId: number; error: string };
export type PrepareInput = Array<{ row: QueueRow; meta: QueueMeta; receivedAt: Date }>;

export interface Preparer {
  prepare(rows: PrepareInput): Promise<PrepareResult[]>;
  close(): Promise<void>;
}

const YIELD_EVERY = 8;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export const inlinePreparer: Preparer = {
  async prepare(rows) {
    const out: PrepareResult[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
      const { row, meta, receivedAt } = rows[i];
      try {
        out.push(prepareEvent(row, receivedAt, meta));
      } catch (err) {
        out.push({ queueId: row.id, error: String((err as Error)?.stack ?? err).slice(0, 2000) });
      }
    }
    return out;
  },
  async close() {},
};

/** A pool of worker threads; each request goes to one worker (round robin). */
export function workerPreparer(threads: number): Preparer {
  const url = new URL('./prepare-worker-entry.mjs', import.meta.url);
  let next = 0;
  let seq = 0;
  const waiting = new Map<number, { resolve: (r: PrepareResult[]) => void; reject: (e: unknown) => void; worker: number }>();
  const workers: Array<Worker | null> = Array.from({ length: threads }, () => null);

  const start = (i: number): Worker => {
    const w = new Worker(url);
    w.unref();
    w.on('message', (msg: { id: number; results: PrepareResult[] }) => {
      const p = waiting.get(msg.id);
      waiting.delete(msg.id);
      p?.resolve(msg.results);
    });
    const fail = (err: unknown) => {
      workers[i] = null; // restarted on the next request
      for (const [id, p] of waiting) {
        if (p.worker !== i) continue;
        waiting.delete(id);
        p.reject(err);
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => code !== 0 && fail(new Error(`prepare worker exited with code ${code}`)));
    workers[i] = w;
    return w;
  };

  return {
    prepare(rows) {
      const i = next++ % threads;
      const w = workers[i] ?? start(i);
      const id = ++seq;
      return new Promise<PrepareResult[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject, worker: i });
        // Texts, not bytes: a byte view would carry its whole buffer (a commit's payloads) along.
        const texts = rows.map((r) => (typeof r.row.payload === 'string' ? r : { ...r, row: { ...r.row, payload: payloadText(r.row.payload) } }));
        w.postMessage({ id, rows: texts } satisfies PrepareRequest);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w?.terminate()));
    },
  };
}
