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

    // With both roles in one process, the worker takes payloads from memory instead of reading them back.
    const cache = roles.has('ingest') && roles.has('worker') ? new PayloadCache() : null;
    const queue = roles.has('ingest') ? new QueueWriter(db, { flushMs: config.queueFlushMs, cache, prepareAtIngest: config.digestThreads === 0 }) : null;
    const worker = roles.has('worker')
      ? new DigestWorker(db, { batchSize: config.digestBatch, intervalMs: config.digestIntervalMs, concurrency: config.digestConcurrency, logConcurrency: config.logDigestConcurrency, threads: config.digestThreads, cache, log: (m, e) => log.error(m, e) })
      : null;
    if (queue) {
      queue.on('error-logged', (err) => log.error('queue: insert failed', err));
      if (worker) queue.on('committed', (what: CommittedKinds) => worker.committed(what));
    }
    const keys = new KeyCache(db);
    const ingest = queue ? createIngest({ config, queue, keys }) : null;
    const app = createApp({ config, db, log, queue: queue ?? undefined, keys, ingest: ingest ?? undefined, roles });
    if (worker && opts.startWorker !== false) worker.start();
    // Scheduled issue work (auto-resolve, ignore durations) runs beside the digest.
    const jobs = worker && opts.startWorker !== false ? startScheduledJobs(db, log) : null;

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
        await db.close();
      },
    };
  } catch (err) {
    if (!opts.db) await db.close();
    throw err;
  }
}
