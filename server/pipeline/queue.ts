// The durable ingest queue, written with group commit (architecture: "The path of one event", step 2).
// Requests hand their items to `enqueue`, which resolves only once a transaction holding them has
// committed. Items that arrive while a commit is in flight wait for the next one, so under load one
// multi-row INSERT carries the items of many requests and durability costs one fsync per batch,
// not per request.
import { EventEmitter } from 'node:events';
import type { Database } from '../db/client.ts';
import { fixedCapacity, ROW_CAPACITIES, valuesList } from '../db/values.ts';
import { IngestError } from '../ingest/errors.ts';
import { databaseUnavailable } from '../db/url.ts';
import { PayloadCache } from './payload-cache.ts';
import { prepareParsed, type PreparedEvent } from './prepare.ts';
import { SpoolUnavailable, type QueueRowValues, type Spool } from './spool.ts';

export interface QueueItem {
  projectId: number;
  /** `event`: payload goes to event_payloads; `log`: a log container ({"items": [...]}) kept in the queue row. */
  kind: 'event' | 'log';
  receivedAt: Date;
  /** The item payload (JSON text). */
  payload: string;
  /** Envelope-level facts for the digest (JSON-serializable). */
  meta: QueueMeta;
  /**
   * The payload as ingest parsed it, if it did. With a digest in this process (a cache) that prepares
   * events on the main thread, enqueue turns it into the prepared event the digest will store, sparing
   * a second parse; then drops it (see payload-cache.ts).
   */
  parsed?: Record<string, unknown>;
  /** Set by enqueue from `parsed`. */
  prepared?: PreparedEvent | null;
}

/** What a commit carried: the argument of the writer's 'committed' event. */
export interface CommittedKinds {
  events: boolean;
  logs: boolean;
}

export interface QueueMeta {
  eventId: string;
  sentAt?: string | null;
  clientIp?: string | null;
  client?: string | null;
}

interface Pending {
  items: QueueItem[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface QueueWriterOptions {
  /** Wait this long for more requests before committing when the database is idle (ms). */
  flushMs: number;
  /** Commits in flight at once. */
  maxInFlight?: number;
  /** Rows per INSERT at most. */
  maxBatchRows?: number;
  /** Bytes per INSERT at most. */
  maxBatchBytes?: number;
  /** Waiting bytes past which new requests get 503 instead of piling up in memory. */
  maxPendingBytes?: number;
  /** Committed payloads are handed to the in-process digest worker through this cache (or the digest thread). */
  cache?: Pick<PayloadCache, 'set'> | null;
  /**
   * With a cache: prepare events at ingest from ingest's own parse (when the digest would prepare them
   * on this thread anyway). Not when worker threads prepare them: that work leaves the main thread.
   */
  prepareAtIngest?: boolean;
  /**
   * While the database cannot be reached, commits go to this local spool instead (pipeline/spool.ts)
   * and are copied into the queue when it is back. Without one, they fail with 503.
   */
  spool?: Spool | null;
}

/** How often the spool tries the database again while it is away (ms). */
const REPLAY_MS = 1000;

/** Null if preparing fails: the digest then prepares the stored row, fails the same way and sets it aside. */
function prepareQuietly(it: QueueItem): PreparedEvent | null {
  try {
    return prepareParsed(it.parsed!, it.projectId, it.meta, it.receivedAt);
  } catch {
    return null;
  }
}

const ROW_TYPES = ['int', 'text', 'timestamptz', 'uuid', 'text', 'text'] as const;
/** Insert statements by row capacity (see fixedCapacity). */
const statements = new Map<number, string>();

/** The insert for `rows` (project, kind, received, event id, meta, payload): a fixed text for its capacity. */
export function queueInsert(rows: unknown[][]): { text: string; params: unknown[]; prepare: boolean } {
  const fixed = fixedCapacity(rows.length);
  const capacity = fixed ?? rows.length;
  let text = statements.get(capacity);
  if (!text) {
    // Events: the payload to event_payloads, a small row (no payload) to the queue. Logs: the container
    // to the queue. NULL rows are padding.
    text = `WITH v (project_id, kind, received_at, event_id, meta, payload) AS (VALUES ${valuesList(capacity, ROW_TYPES)}),
      p AS (INSERT INTO event_payloads (project_id, event_id, received_at, meta, payload)
            SELECT project_id, event_id, received_at, meta, payload FROM v WHERE kind = 'event'
            ON CONFLICT (project_id, event_id) DO NOTHING)
      INSERT INTO ingest_queue (project_id, kind, received_at, event_id, meta, payload)
      SELECT project_id, kind, received_at, event_id, meta, CASE WHEN kind = 'event' THEN NULL ELSE payload END FROM v WHERE kind IS NOT NULL`;
    if (fixed) statements.set(capacity, text);
  }
  const params = rows.flat();
  for (let i = rows.length * ROW_TYPES.length; i < capacity * ROW_TYPES.length; i++) params.push(null);
  return { text, params, prepare: fixed !== undefined };
}

/** One statement, one commit: the queue rows of a batch (see queueInsert). */
async function insertQueueRows(db: Pick<Database, 'query'>, rows: QueueRowValues[]): Promise<void> {
  const { text, params, prepare } = queueInsert(rows);
  await db.query(text, params, { prepare });
}

export class QueueWriter extends EventEmitter {
  private waiting: Pending[] = [];
  private waitingBytes = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly maxInFlight: number;
  private readonly maxBatchRows: number;
  private readonly maxBatchBytes: number;
  private readonly maxPendingBytes: number;
  /** The database was found unreachable: commits go to the spool until its files are replayed. */
  private down = false;
  private spoolWrites = 0;
  private replayTimer: NodeJS.Timeout | null = null;
  private replaying: Promise<void> | null = null;
  private replayStopped = false;

  constructor(
    private readonly db: Database,
    private readonly opts: QueueWriterOptions,
  ) {
    super();
    // PGlite is one connection: a second commit in flight would only queue behind the first.
    this.maxInFlight = opts.maxInFlight ?? (db.kind === 'pglite' ? 1 : 3);
    this.maxBatchRows = opts.maxBatchRows ?? ROW_CAPACITIES.at(-1)!;
    this.maxBatchBytes = opts.maxBatchBytes ?? 16 * 1024 * 1024;
    this.maxPendingBytes = opts.maxPendingBytes ?? 256 * 1024 * 1024;
    // Files left by an earlier run (it stopped while the database was away) go in now.
    if (opts.spool) {
      opts.spool.files().then(
        (files) => files.length > 0 && this.scheduleReplay(0),
        (err) => this.emit('error-logged', err),
      );
    }
  }

  /**
   * Whether enqueue uses the events' parsed payloads (QueueItem.parsed): only when it prepares them at
   * ingest. Otherwise ingest need not build them (json-check.ts).
   */
  get wantsParsed(): boolean {
    return Boolean(this.opts.cache && this.opts.prepareAtIngest);
  }

  /** Resolves once every item is durable in the queue table. */
  enqueue(items: QueueItem[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new IngestError('unavailable', 'shutting down'));
    let bytes = 0;
    for (const it of items) bytes += it.payload.length + 200;
    if (this.waitingBytes + bytes > this.maxPendingBytes) return Promise.reject(new IngestError('overloaded'));
    for (const it of items) {
      if (it.parsed && this.wantsParsed) it.prepared = prepareQuietly(it);
      it.parsed = undefined;
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ items, bytes, resolve, reject });
      this.waitingBytes += bytes;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    // With a commit already in flight, the next batch starts as soon as a slot frees up (see flush);
    // from idle, wait flushMs so that concurrent requests can share the commit.
    const delay = this.inFlight === 0 ? this.opts.flushMs : 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delay);
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    let bytes = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (batch.length > 0 && (rows + next.items.length > this.maxBatchRows || bytes + next.bytes > this.maxBatchBytes)) break;
      this.waiting.shift();
      rows += next.items.length;
      bytes += next.bytes;
      batch.push(next);
    }
    this.waitingBytes -= bytes;
    return batch;
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      this.store(batch)
        .then(
          (where) => {
            if (where === 'spool') {
              for (const p of batch) p.resolve();
              return;
            }
            const what: CommittedKinds = { events: false, logs: false };
            for (const p of batch) {
              for (const it of p.items) {
                if (it.kind === 'log') {
                  what.logs = true;
                  continue;
                }
                what.events = true;
                this.opts.cache?.set(PayloadCache.key(it.projectId, it.meta.eventId), it.payload, it.prepared, it.receivedAt.getTime());
              }
            }
            for (const p of batch) p.resolve();
            this.emit('committed', what);
          },
          (err) => {
            const failure = err instanceof IngestError ? err : new IngestError('unavailable');
            if (!(err instanceof IngestError)) this.emit('error-logged', err);
            for (const p of batch) p.reject(failure);
          },
        )
        .finally(() => {
          this.inFlight--;
          if (this.waiting.length > 0) this.flush();
          else if (this.inFlight === 0) {
            this.emit('idle');
          }
        });
    }
  }

  /**
   * One statement, so one commit: each event's payload goes to event_payloads (where it stays; a retry
   * of an event already there keeps the first copy) and a small row to the queue; log containers go to
   * the queue whole. Every value is a parameter of its own, so 5 KB payloads travel as they are.
   * With a spool, while the database cannot be reached, the rows go to a spool file instead.
   */
  private async store(batch: Pending[]): Promise<'queue' | 'spool'> {
    const rows: QueueRowValues[] = [];
    for (const p of batch) {
      for (const it of p.items) {
        const event = it.kind === 'event';
        rows.push([it.projectId, it.kind, it.receivedAt.toISOString(), event ? it.meta.eventId : null, JSON.stringify(it.meta), it.payload]);
      }
    }
    const spool = this.opts.spool;
    if (!spool) {
      await insertQueueRows(this.db, rows);
      return 'queue';
    }
    // While the database is away, straight to the spool: no connection attempt to wait for.
    if (!this.down) {
      try {
        await insertQueueRows(this.db, rows);
        return 'queue';
      } catch (err) {
        if (!databaseUnavailable(err)) throw err;
        if (!this.down) {
          this.down = true;
          this.emit('database-down', err);
        }
      }
    }
    this.spoolWrites++;
    try {
      await spool.write(rows);
    } catch (err) {
      throw new IngestError('unavailable', `the database is unreachable and ${(err as Error).message}`);
    } finally {
      this.spoolWrites--;
    }
    this.emit('spooled', rows.length);
    this.scheduleReplay();
    return 'spool';
  }

  private scheduleReplay(ms = REPLAY_MS): void {
    if (this.replayTimer || this.replaying || this.replayStopped) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = null;
      this.replaying = this.replay().then((again) => {
        this.replaying = null;
        // Also when a commit was spooled after this replay found the spool empty.
        if (again || this.down) this.scheduleReplay();
      });
    }, ms);
  }

  /**
   * Copies the spool files into the queue, oldest first; once none are left, commits go to the queue
   * again. Resolves true to be tried again later (the database is still away).
   */
  private async replay(): Promise<boolean> {
    const spool = this.opts.spool!;
    try {
      for (;;) {
        const files = await spool.files();
        if (files.length === 0) {
          if (this.spoolWrites > 0) {
            await new Promise((r) => setTimeout(r, 10));
            continue;
          }
          if (this.down) {
            this.down = false;
            this.emit('database-back');
          }
          return false;
        }
        for (const name of files) {
          if (this.replayStopped) return false;
          const kinds = await spool.replay(this.db, name, (file, err) => this.emit('spool-failed', file, err), insertQueueRows);
          if (kinds) this.emit('committed', { events: kinds.has('event'), logs: kinds.has('log') } satisfies CommittedKinds);
        }
      }
    } catch (err) {
      if (!(err instanceof SpoolUnavailable)) this.emit('error-logged', err);
      return true;
    }
  }

  /** Number of commits in flight or waiting. */
  get busy(): boolean {
    return this.inFlight > 0 || this.waiting.length > 0;
  }

  /** Stops taking requests and waits for everything already taken to be committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.flush();
    }
    if (this.busy) await new Promise<void>((resolve) => this.once('idle', resolve));
    // What is spooled stays spooled for the next start; a replay under way finishes its file.
    this.replayStopped = true;
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.replayTimer = null;
    await this.replaying;
  }
}
