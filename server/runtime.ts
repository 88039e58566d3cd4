// Assembles one Faultline process: database, migrations, the roles it runs (architecture "Roles and
// scale": `serve` runs all of them; `serve --role ingest|worker|web` one), and an orderly shutdown.
import type { ServerType } from '@hono/node-server';
import { getRequestListener } from '@hono/node-server';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { createApp, type Role } from './app.ts';
import { bootstrap, type BootstrapResult } from './bootstrap.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { startScheduledJobs } from './jobs/index.ts';
import { ensureLogPartitions } from './logs/partitions.ts';
import { migrate } from './db/migrate.ts';
import { createIngest } from './ingest/handler.ts';
import { KeyCache } from './ingest/keys.ts';
import { ingestListener } from './ingest/node.ts';
import type { Logger } from './log.ts';
import { PayloadCache } from './pipeline/payload-cache.ts';
import { QueueWriter, type CommittedKinds } from './pipeline/queue.ts';
import { Spool } from './pipeline/spool.ts';
import { DigestThread } from './pipeline/digest-thread.ts';
import { DigestWorker } from './pipeline/worker.ts';

export const ALL_ROLES: ReadonlySet<Role> = new Set<Role>(['ingest', 'worker', 'web']);

export interface Runtime {
  config: Config;
  db: Database;
  app: Hono;
  queue: QueueWriter | null;
  worker: DigestWorker | null;
  bootstrap: BootstrapResult | null;
  roles: ReadonlySet<Role>;
  /** Starts the HTTP server (not for the worker-only role); resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  roles?: ReadonlySet<Role>;
  /** An already open database (tests); otherwise opened from the config. */
  db?: Database;
  /** Start the digest loops (default: when the worker role runs). Tests drain by hand instead. */
  startWorker?: boolean;
}

export async function createRuntime(config: Config, log: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
  const roles = opts.roles ?? ALL_ROLES;
  const db =
    opts.db ??
    (await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite`, poolSize: config.dbPool }));
  let server: ServerType | null = null;
  let closed = false;
  try {
    await migrate(db);
    await ensureLogPartitions(db);
    const boot = roles.has('web') || roles.has('ingest') ? await bootstrap(db, config.admin, config.publicUrl) : null;

    const digestOn = roles.has('worker') && opts.startWorker !== false;
    const digestOptions = { batchSize: config.digestBatch ?? (db.kind === 'pglite' ? 2000 : 5000), intervalMs: config.digestIntervalMs, concurrency: config.digestConcurrency, logConcurrency: config.logDigestConcurrency };
    // On Postgres the digest runs in a thread of its own with its own connections (digest-thread.ts);
    // PGlite is one connection in this thread, so its digest runs here.
    const thread =
      digestOn && db.kind === 'postgres' && config.databaseUrl && config.digestThreads > 0
        ? new DigestThread(
            { databaseUrl: config.databaseUrl, poolSize: config.digestConcurrency + config.logDigestConcurrency + 1, prepareThreads: config.digestThreads - 1, worker: digestOptions },
            log,
          )
        : null;
    // With both roles in one process, the digest takes payloads from memory instead of reading them back
    // (the digest thread keeps its own copy of this cache).
    const memory = !thread && roles.has('ingest') && roles.has('worker') ? new PayloadCache() : null;
    // PGlite is in this process: there is no database to be away from.
    const spool = roles.has('ingest') && db.kind === 'postgres' ? new Spool(config.spoolDir, { maxBytes: config.spoolMaxBytes }) : null;
    const queue = roles.has('ingest') ? new QueueWriter(db, { flushMs: config.queueFlushMs, cache: thread ?? memory, prepareAtIngest: config.digestThreads === 0, spool }) : null;
    const worker = roles.has('worker') && !thread ? new DigestWorker(db, { ...digestOptions, threads: config.digestThreads, cache: memory, log: (m, e) => log.error(m, e) }) : null;
    if (queue) {
      queue.on('error-logged', (err) => log.error('queue: insert failed', err));
      queue.on('database-down', (err) => log.warn(`the database cannot be reached (${(err as Error).message}): spooling accepted items to ${spool?.dir} until it is back`));
      queue.on('database-back', () => log.warn('the database is back: the spooled items are in the queue'));
      queue.on('spool-failed', (file: string, err) => log.error(`spool: ${file} could not be replayed and was moved to ${spool?.failedDir}`, err));
      const digest = thread ?? worker;
      if (digest) queue.on('committed', (what: CommittedKinds) => digest.committed(what));
    }
    if (thread) await thread.start();
    const keys = new KeyCache(db);
    const ingest = queue ? createIngest({ config, queue, keys }) : null;
    const app = createApp({ config, db, log, keys, ingest: ingest ?? undefined, roles });
    if (worker && digestOn) worker.start();
    // Scheduled issue work (auto-resolve, ignore durations) runs beside the digest.
    const jobs = digestOn ? startScheduledJobs(db, log) : null;

    return {
      config,
      db,
      app,
      queue,
      worker,
      bootstrap: boot,
      roles,
      listen: () =>
        new Promise<number>((resolve, reject) => {
          // Ingest requests skip hono's request and response objects (ingest/node.ts).
          const honoListener = getRequestListener(app.fetch, { hostname: config.host });
          const s = createServer(ingest ? ingestListener(ingest, honoListener) : honoListener);
          server = s;
          s.once('error', reject);
          s.listen(config.port, config.host, () => resolve((s.address() as AddressInfo).port));
        }),
      close: async () => {
        if (closed) return;
        closed = true;
        if (server) {
          const s = server;
          await new Promise<void>((resolve) => s.close(() => resolve()));
        }
        await queue?.close();
        jobs?.stop();
        await worker?.stop();
        await thread?.stop();
        await db.close();
      },
    };
  } catch (err) {
    if (!opts.db) await db.close();
    throw err;
  }
}
