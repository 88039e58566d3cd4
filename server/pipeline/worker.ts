// Runs digest batches until the queue is empty, then sleeps until woken (an in-process ingest
// commit of its kind of item) or until the poll interval passes (ingest in another process).
//
// Pacing: after a batch of events that did not fill up, the loop waits until `intervalMs` has passed
// since that batch began before it claims the next. Under steady traffic a batch then carries about an
// interval's worth of events, so the per-issue writes (counters, tag values, hourly stats: one row
// each per batch, whatever the batch holds) are shared by more events; after a quiet spell the first
// event is digested at once. With ingest in this process, the pause also ends once no events have been
// committed for QUIET_MS: the traffic stopped, so what is queued is digested now, not an interval later.
//
// Upkeep: every row the digest claims is deleted, so the queue table is all churn. Its dead rows
// and their index entries slow every claim (which walks the primary key from the oldest id) until a
// VACUUM removes them, and autovacuum may be off, or (by default) look only once a minute: at 5k
// events/s that is 300k dead rows. So the worker vacuums the queue itself after every
// VACUUM_AFTER_ROWS rows it removed. Measured on the event bench (autovacuum off): without it, each
// 50k-event round ran ~10% slower than the one before.
//
// Failure handling: a batch that fails as a whole (a database error) is retried; if it fails again,
// its rows are digested one by one so that a single bad row cannot block the queue. A row that fails
// alone MAX_ATTEMPTS times moves to ingest_failed. While the database is unreachable every attempt
// fails before it can count, so nothing moves anywhere until it is back.
import type { Database } from '../db/client.ts';
import { databaseUnavailable } from '../db/url.ts';
import { digestBatch, KIND_FILTER, setAside, type BatchResult, type DigestKinds } from './digest.ts';
import type { CommittedKinds } from './queue.ts';
import type { PayloadCache } from './payload-cache.ts';
import { inlinePreparer, workerPreparer, type Preparer } from './prepare-pool.ts';
import { LogPatternAssigner } from '../logs/assign.ts';

export interface WorkerOptions {
  batchSize: number;
  /** Payloads ingested by this process (see payload-cache.ts). */
  cache?: PayloadCache | null;
  /** Worker threads preparing events (0: inline). */
  threads?: number;
  /** Parallel digest loops for events (each its own transaction; Postgres only). */
  concurrency?: number;
  /** Parallel digest loops for log containers (Postgres only). */
  logConcurrency?: number;
  pollMs?: number;
  /** Least time from the start of one events batch to the next while the queue has fewer than a batch (ms; 0: none). */
  intervalMs?: number;
  /** Queue rows removed between two VACUUMs of the queue table (VACUUM_AFTER_ROWS; tests make it small). */
  vacuumAfterRows?: number;
  log?: (msg: string, err?: unknown) => void;
}

const MAX_ATTEMPTS = 5;
/** Queue rows removed between two VACUUMs of the queue table (see Upkeep above). */
export const VACUUM_AFTER_ROWS = 20_000;
/** A pause ends early after this long without an events commit in this process (ms). */
export const QUIET_MS = 100;
const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

export class DigestWorker {
  private running = false;
  private loops: Promise<void>[] = [];
  /** The sleeping loops' wake-up calls, with what each loop claims. */
  private wakers = new Map<() => void, DigestKinds>();
  /** Loops pausing between batches (see intervalMs); stop() ends their pauses. */
  private pauses = new Set<() => void>();
  /** When this process's ingest last committed events (null: it has none, or has committed none yet). */
  private lastEventsCommit: number | null = null;
  /** Something of the kind was committed since a loop of that kind last looked. */
  private pending = { events: false, logs: false };
  private idleWaiters: Array<() => void> = [];
  private active = 0;
  readonly stats = { batches: 0, stored: 0, duplicates: 0, failed: 0, vacuums: 0 };
  /** Queue rows removed since the last VACUUM of the queue table. */
  private removed = 0;
  private vacuuming = false;
  private readonly preparer: Preparer;
  private readonly logPatterns = new LogPatternAssigner();
  private digestOptions(kinds: DigestKinds) {
    return { cache: this.opts.cache, preparer: this.preparer, logPatterns: this.logPatterns, kinds };
  }

  constructor(
    private readonly db: Database,
    private readonly opts: WorkerOptions,
  ) {
    this.preparer = opts.threads ? workerPreparer(opts.threads) : inlinePreparer;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // PGlite has one connection: one loop for everything. On Postgres events and logs have loops of
    // their own, so neither waits behind the other and each runs as many transactions as suits it
    // (events contend on their issues' rows; log batches mostly append).
    if (this.db.kind === 'pglite') this.loops.push(this.loop('all'));
    else {
      for (let i = 0; i < (this.opts.concurrency ?? 1); i++) this.loops.push(this.loop('events'));
      for (let i = 0; i < (this.opts.logConcurrency ?? 4); i++) this.loops.push(this.loop('logs'));
    }
  }

  /** Ingest in this process committed items of these kinds. */
  committed(what: CommittedKinds): void {
    if (what.events) this.lastEventsCommit = performance.now();
    this.wake(what);
  }

  /** Something was queued: digest now instead of at the next poll (only the loops that claim it). */
  wake(what: CommittedKinds = { events: true, logs: true }): void {
    if (what.events) this.pending.events = true;
    if (what.logs) this.pending.logs = true;
    for (const [w, kinds] of [...this.wakers]) {
      if (kinds === 'all' || what[kinds]) {
        this.wakers.delete(w);
        w();
      }
    }
  }

  private isPending(kinds: DigestKinds): boolean {
    return kinds === 'all' ? this.pending.events || this.pending.logs : this.pending[kinds];
  }

  private clearPending(kinds: DigestKinds): void {
    if (kinds !== 'logs') this.pending.events = false;
    if (kinds !== 'events') this.pending.logs = false;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const p of [...this.pauses]) p();
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
    await this.preparer.close();
  }

  /** Resolves when every loop has found the queue empty (tests and shutdown). */
  idle(): Promise<void> {
    if (this.active === 0 && !this.isPending('all')) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Digests until the queue is empty, in the caller's async context (tests, `--role` setups). */
  async drain(): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (;;) {
      const r = await this.runBatch('all');
      results.push(r);
      if (r.claimed === 0) return results;
    }
  }

  private async loop(kinds: DigestKinds): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.clearPending(kinds);
      this.active++;
      let claimed = 0;
      const started = performance.now();
      try {
        claimed = (await this.runBatch(kinds)).claimed;
        failures = 0;
        if (this.removed >= (this.opts.vacuumAfterRows ?? VACUUM_AFTER_ROWS)) await this.vacuumQueue();
      } catch (err) {
        failures++;
        // The database away: said once, not at every retry while it stays away.
        if (!databaseUnavailable(err)) this.opts.log?.('digest: batch failed', err);
        else if (failures === 1) this.opts.log?.('digest: the database cannot be reached; trying again with backoff', err);
      } finally {
        this.active--;
      }
      if (!this.running) break;
      if (failures > 0) {
        await this.sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), kinds);
        continue;
      }
      if (claimed > 0 && claimed < this.opts.batchSize && kinds === 'events') await this.pause(started + (this.opts.intervalMs ?? 0));
      if (claimed > 0 || this.isPending(kinds)) continue;
      if (this.active === 0) this.notifyIdle();
      await this.sleep(this.opts.pollMs ?? 1000, kinds);
    }
    if (this.active === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.isPending('all')) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private sleep(ms: number, kinds: DigestKinds): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.wakers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakers.set(wake, kinds);
    });
  }

  /**
   * Waits until `until` (a performance.now() time) without being woken by commits: only by stop, or by
   * this process's ingest going quiet. Counts as busy for idle().
   */
  private async pause(until: number): Promise<void> {
    this.active++;
    try {
      for (;;) {
        const now = performance.now();
        const quietAt = this.lastEventsCommit === null ? Infinity : this.lastEventsCommit + QUIET_MS;
        if (now >= until || now >= quietAt || !this.running) return;
        await new Promise<void>((resolve) => {
          const end = () => {
            clearTimeout(t);
            this.pauses.delete(end);
            resolve();
          };
          const t = setTimeout(end, Math.min(until, quietAt) - now);
          this.pauses.add(end);
        });
      }
    } finally {
      this.active--;
    }
  }

  /**
   * VACUUM of the queue table, outside any transaction (VACUUM cannot run in one). SKIP_LOCKED: if
   * another process's worker is vacuuming it right now, that one does the work.
   */
  private async vacuumQueue(): Promise<void> {
    if (this.vacuuming) return;
    this.vacuuming = true;
    this.removed = 0;
    try {
      await this.db.query('VACUUM (SKIP_LOCKED) ingest_queue');
      this.stats.vacuums++;
    } catch (err) {
      this.opts.log?.('digest: vacuum of the queue failed', err);
    } finally {
      this.vacuuming = false;
    }
  }

  private record(r: BatchResult): BatchResult {
    this.removed += r.claimed;
    this.stats.batches++;
    this.stats.stored += r.stored;
    this.stats.duplicates += r.duplicates;
    this.stats.failed += r.failed.length;
    return r;
  }

  private async runBatch(kinds: DigestKinds): Promise<BatchResult> {
    try {
      return this.record(await this.db.begin((tx) => digestBatch(tx, this.opts.batchSize, this.digestOptions(kinds))));
    } catch (err) {
      // The rolled-back batch may have created log patterns this process now remembers.
      this.logPatterns.reset();
      if (RETRYABLE.has((err as { code?: string }).code ?? '')) {
        return this.record(await this.db.begin((tx) => digestBatch(tx, this.opts.batchSize, this.digestOptions(kinds))));
      }
      // Not the rows' fault: the loop waits and tries again, and no row is charged an attempt.
      if (databaseUnavailable(err)) throw err;
      this.opts.log?.('digest: batch failed, isolating rows', err);
      return this.isolate(kinds);
    }
  }

  /** Digests the oldest rows one per transaction, to find and set aside the one that fails. */
  private async isolate(kinds: DigestKinds): Promise<BatchResult> {
    const total: BatchResult = { claimed: 0, stored: 0, duplicates: 0, failed: [] };
    for (let i = 0; i < this.opts.batchSize; i++) {
      let r: BatchResult;
      try {
        r = await this.db.begin((tx) => digestBatch(tx, 1, this.digestOptions(kinds)));
      } catch (err) {
        this.logPatterns.reset();
        if (databaseUnavailable(err)) throw err;
        await this.countFailure(err, kinds);
        total.claimed++;
        continue;
      }
      if (r.claimed === 0) break;
      total.claimed += r.claimed;
      total.stored += r.stored;
      total.duplicates += r.duplicates;
      total.failed.push(...r.failed);
    }
    return this.record(total);
  }

  /** The oldest unlocked row failed alone: count the attempt, and set it aside after MAX_ATTEMPTS. */
  private async countFailure(err: unknown, kinds: DigestKinds): Promise<void> {
    const message = String((err as Error)?.message ?? err).slice(0, 2000);
    await this.db.begin(async (tx) => {
      const [row] = await tx.query<{ id: number; attempts: number }>(
        `SELECT id, attempts FROM ingest_queue ${KIND_FILTER[kinds]} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!row) return;
      if (row.attempts + 1 < MAX_ATTEMPTS) {
        await tx.query('UPDATE ingest_queue SET attempts = attempts + 1 WHERE id = $1', [row.id]);
        return;
      }
      await setAside(tx, [{ queueId: Number(row.id), error: message }]);
      this.opts.log?.(`digest: queue row ${row.id} set aside in ingest_failed after ${MAX_ATTEMPTS} attempts`);
    });
  }
}
