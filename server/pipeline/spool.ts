// The local spool (architecture: "The path of one event", step 2): while Postgres cannot be reached,
// ingest still answers 2xx, because each group commit that cannot go to the queue table goes to a file
// here instead, written and fsynced before anyone is answered. When the database is back the files are
// copied into the queue, oldest first, and removed.
//
// Exactly once: a file's rows go into the queue in one transaction with the file's id in spool_replays.
// A file replayed again (a crash between that commit and the unlink, or a second process on the same
// directory) finds its id there and only gets removed. A file that cannot be replayed for any reason
// other than the database being away (it is corrupt, or the database rejects its rows) moves to
// `failed/` beside it, for inspection, and the error is logged: it never blocks the files after it.
//
// The file format: one JSON array of queue rows, each as queue.ts writes them, gzipped (level 1, in
// libuv's thread pool, off the main thread; a tenth of the bytes, so the default 1 GiB holds minutes of
// a busy server's traffic rather than seconds):
//   [project_id, kind, received_at (ISO), event_id | null, meta (JSON text), payload (JSON text)]
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { constants, gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import type { Database } from '../db/client.ts';
import { databaseUnavailable } from '../db/url.ts';

export type QueueRowValues = [projectId: number, kind: string, receivedAt: string, eventId: string | null, meta: string, payload: string];

export interface SpoolOptions {
  /** Bytes of spool files at most; past it, ingest answers 503 as it would without a spool. */
  maxBytes?: number;
}

/** Why a replay stopped: the database is still away (try again later). */
export class SpoolUnavailable extends Error {}

const SUFFIX = '.json.gz';
const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);
/** A spool file's name (not a temporary file of a write under way, nor the failed/ directory). */
export const isSpoolFile = (name: string) => name.endsWith(SUFFIX) && !name.startsWith('.');

export class Spool {
  readonly dir: string;
  readonly failedDir: string;
  private readonly maxBytes: number;
  private bytes = 0;
  private seq = 0;

  constructor(dir: string, opts: SpoolOptions = {}) {
    this.dir = path.resolve(dir);
    this.failedDir = path.join(this.dir, 'failed');
    this.maxBytes = opts.maxBytes ?? 1024 ** 3;
    mkdirSync(this.dir, { recursive: true });
    // A write cut short by a crash was never acknowledged: its temporary file goes.
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith('.tmp-')) unlinkSync(path.join(this.dir, name));
      else if (isSpoolFile(name)) this.bytes += statSync(path.join(this.dir, name)).size;
    }
  }

  /** Bytes in spool files now. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Writes the rows to a new file, durably (the file and the directory entry fsynced), and resolves only
   * then. Rejects when the spool is full or the disk fails: the caller answers 503.
   */
  async write(rows: QueueRowValues[]): Promise<void> {
    const data = await gzip(JSON.stringify(rows), { level: constants.Z_BEST_SPEED });
    const size = data.length;
    if (this.bytes + size > this.maxBytes) throw new Error(`the spool is full (${this.bytes} bytes in ${this.dir})`);
    this.bytes += size;
    // Names sort in write order: time, then a sequence number within this process.
    const name = `${Date.now().toString().padStart(15, '0')}-${(this.seq++).toString().padStart(8, '0')}-${randomUUID()}${SUFFIX}`;
    const tmp = path.join(this.dir, `.tmp-${name}`);
    try {
      const f = await open(tmp, 'wx');
      try {
        await f.writeFile(data);
        await f.sync();
      } finally {
        await f.close();
      }
      await rename(tmp, path.join(this.dir, name));
      await syncDir(this.dir);
    } catch (err) {
      this.bytes -= size;
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  /** The spool files, oldest first. */
  async files(): Promise<string[]> {
    return (await readdir(this.dir)).filter(isSpoolFile).sort();
  }

  /**
   * Copies one file's rows into the queue (see the header) and removes it. Returns the rows' kinds, or
   * null when the file had been replayed before or was set aside. Throws SpoolUnavailable while the
   * database is away.
   */
  async replay(db: Database, name: string, onFailed: (name: string, err: unknown) => void, insert: (q: Pick<Database, 'query'>, rows: QueueRowValues[]) => Promise<void>): Promise<Set<string> | null> {
    const file = path.join(this.dir, name);
    let size = 0;
    try {
      size = (await stat(file)).size;
      const rows = parseRows((await gunzip(await readFile(file))).toString('utf8'));
      const id = name.slice(0, -SUFFIX.length);
      const fresh = await db.begin(async (tx) => {
        const marked = await tx.query('INSERT INTO spool_replays (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id', [id]);
        if (marked.length === 0) return false;
        if (rows.length > 0) await insert(tx, rows);
        return true;
      });
      await unlink(file);
      this.bytes -= size;
      // A mark outlives its file by a day: another process may have read the file before the unlink
      // and still be on its way to the mark. Older marks go.
      await db.query(`DELETE FROM spool_replays WHERE replayed_at < now() - interval '1 day'`).catch(() => {});
      return fresh ? new Set(rows.map((r) => r[1])) : null;
    } catch (err) {
      const e = err as { code?: string; syscall?: string };
      if (e.code === 'ENOENT' && e.syscall !== 'connect') return null; // another process replayed it
      if (databaseUnavailable(err)) throw new SpoolUnavailable(String((err as Error).message ?? err), { cause: err });
      await mkdir(this.failedDir, { recursive: true });
      await rename(file, path.join(this.failedDir, name)).catch(() => {});
      this.bytes -= size;
      onFailed(name, err);
      return null;
    }
  }
}

function parseRows(text: string): QueueRowValues[] {
  const rows = JSON.parse(text) as unknown;
  const ok =
    Array.isArray(rows) &&
    rows.every(
      (r) =>
        Array.isArray(r) &&
        r.length === 6 &&
        Number.isInteger(r[0]) &&
        (r[1] === 'event' || r[1] === 'log') &&
        typeof r[2] === 'string' &&
        (r[3] === null || typeof r[3] === 'string') &&
        typeof r[4] === 'string' &&
        typeof r[5] === 'string',
    );
  if (!ok) throw new Error('not a spool file: expected an array of queue rows');
  return rows as QueueRowValues[];
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
