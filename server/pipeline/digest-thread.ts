// The digest in a worker thread (on Postgres, where a thread can have connections of its own): the
// main thread serves every request and is what limits a busy server, so the whole digest (claiming,
// preparing, storing, counting) runs beside it instead of between its requests. Measured on the event
// bench (two cores shared with Postgres): the main thread's CPU per event went from ~270 to ~170-210 µs,
// and events accepted per second up ~11%.
//
// The main thread hands over, after each queue commit, the payloads it just made durable (the thread's
// payload cache, as payload-cache.ts describes) and what kinds of items were committed (to wake the
// loops). Both are only hints: the queue stays the source of truth, a payload missing from the cache is
// read from the database, and a thread that dies is started again; what it had claimed goes back to the
// queue with its rolled-back transaction.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.ts';
import type { PreparedEvent } from './prepare.ts';
import type { CommittedKinds } from './queue.ts';
import type { WorkerOptions } from './worker.ts';

export interface DigestThreadInit {
  databaseUrl: string;
  poolSize: number;
  /** Worker threads of the digest thread's own that prepare events (0: it prepares them itself). */
  prepareThreads: number;
  worker: Omit<WorkerOptions, 'cache' | 'preparer' | 'log'>;
}

/**
 * A commit's events: their payloads' UTF-8 bytes one after another in `bytes` (transferred, not copied),
 * each event with its key, byte range and receive time.
 */
export type ToDigestThread =
  | { type: 'committed'; events: Array<[key: string, start: number, end: number, receivedMs: number]>; bytes: ArrayBuffer; what: CommittedKinds }
  | { type: 'stop' };
export type FromDigestThread = { type: 'started' } | { type: 'stopped' } | { type: 'log'; message: string; error?: { message: string; stack?: string; code?: string } };

const RESTART_MS = [250, 1000, 5000, 30_000];

/** The thread's name, as `top -H` and `ps -L` show it (Linux; at most 15 bytes). */
export const DIGEST_THREAD_NAME = 'fl-digest';

export class DigestThread {
  private thread: Worker | null = null;
  private events: Array<[string, string, number]> = [];
  private stopping = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly init: DigestThreadInit,
    private readonly log: Logger,
  ) {}

  /** Starts the thread; resolves once its loops run. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = new Worker(new URL('./digest-thread-entry.mjs', import.meta.url), { workerData: this.init });
      this.thread = t;
      let started = false;
      t.on('message', (msg: FromDigestThread) => {
        if (msg.type === 'started') {
          started = true;
          this.failures = 0;
          resolve();
        } else if (msg.type === 'log') {
          this.log.error(msg.message, msg.error && Object.assign(new Error(msg.error.message), msg.error));
        }
      });
      t.on('error', (err) => {
        this.log.error('digest thread failed', err);
        if (!started) reject(err);
      });
      t.on('exit', (code) => {
        if (this.thread === t) this.thread = null;
        if (!started) reject(new Error(`digest thread exited with code ${code} before it started`));
        else if (!this.stopping) this.restartLater();
      });
    });
  }

  private restartLater(): void {
    const delay = RESTART_MS[Math.min(this.failures++, RESTART_MS.length - 1)];
    this.log.error(`digest thread stopped; starting it again in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.start().catch(() => this.restartLater());
    }, delay);
  }

  /** The queue writer's cache (QueueWriterOptions.cache): the events of the commit about to be reported. */
  set(key: string, payload: string, _prepared: PreparedEvent | null | undefined, receivedMs: number): void {
    this.events.push([key, payload, receivedMs]);
  }

  /**
   * The queue committed items of these kinds (after `set` for each event of the commit). The payloads
   * go over as bytes in one transferred buffer, not as strings: in the thread they wait up to a digest
   * interval for their batch, and as strings the young-generation GC there copied and promoted them.
   * Measured on the event bench: the thread promoted ~6.5 KB per event instead of ~10; CPU per event
   * moved by less than the noise (1-2%).
   */
  committed(what: CommittedKinds): void {
    const events = this.events;
    this.events = [];
    if (!this.thread) return;
    let total = 0;
    for (const [, payload] of events) total += Buffer.byteLength(payload);
    // Its own ArrayBuffer (not a pooled slice), so that transferring it moves exactly these bytes.
    const bytes = Buffer.allocUnsafeSlow(total);
    let at = 0;
    const list: Array<[string, number, number, number]> = events.map(([key, payload, receivedMs]) => {
      const start = at;
      at += bytes.write(payload, at);
      return [key, start, at, receivedMs];
    });
    const buffer = bytes.buffer as ArrayBuffer;
    this.thread.postMessage({ type: 'committed', events: list, bytes: buffer, what } satisfies ToDigestThread, [buffer]);
  }

  /** Lets the running batches finish, then ends the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const t = this.thread;
    if (!t) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => void t.terminate(), 30_000);
      t.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      t.postMessage({ type: 'stop' } satisfies ToDigestThread);
    });
  }
}
