// The only module that reads the environment (architecture: "Configuration").
// Parsed once with zod; a bad value stops the process with the list of bad fields.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { postgresTarget } from './db/url.ts';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** libpq's host and port parameters (see db/url.ts) are usable. */
function checkPostgresUrl(url: string, ctx: z.RefinementCtx): void {
  try {
    postgresTarget(url);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
}
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const configSchema = z
  .object({
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(8000)),
    HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
    PUBLIC_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .superRefine(checkPostgresUrl)
        .optional(),
    ),
    FAULTLINE_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
    FAULTLINE_ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.email().default('admin@faultline.local')),
    FAULTLINE_ADMIN_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(8, 'at least 8 characters').optional()),
    FAULTLINE_ADMIN_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .min(20, 'at least 20 characters')
        .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
        .optional(),
    ),
    FAULTLINE_ORG_NAME: z.preprocess(emptyToUndefined, z.string().max(64).default('Faultline')),
    FAULTLINE_PROJECT_NAME: z.preprocess(emptyToUndefined, z.string().max(64).default('my-service')),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info')),
    /** Largest accepted request body, compressed or not (bytes). */
    FAULTLINE_MAX_BODY_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024).default(20 * 1024 * 1024)),
    /** Largest decoded envelope (bytes); protocol §2.4 says Relay allows 200 MiB, we default lower. */
    FAULTLINE_MAX_ENVELOPE_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024).default(50 * 1024 * 1024)),
    /** Largest single event item (bytes), Relay's default. */
    FAULTLINE_MAX_EVENT_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024).default(1024 * 1024)),
    /** Largest log item (a container of records) in an envelope (bytes). */
    FAULTLINE_MAX_LOG_ITEM_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024).default(2 * 1024 * 1024)),
    /**
     * Group-commit window for the ingest queue (ms): how long a request waits for others to share its
     * commit when none is in flight. Under load commits are nearly always in flight and requests join the
     * next one anyway; 4 ms added latency that capped a 64-connection load with cores idle (ingest alone,
     * measured: ~7k events/s at 37% idle CPU, against ~8k at 27% with 1 ms).
     */
    FAULTLINE_QUEUE_FLUSH_MS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1000).default(1)),
    /**
     * Events the digest worker claims per transaction. Each batch writes its issues' counters, tag values
     * and hourly stats once, whatever it holds, so with the interval below a batch carries up to a second
     * of traffic: at 2,000 the cap cut batches short from ~2k events/s on (measured side by side at 2.5k
     * events/s: 4% less CPU per event with 5,000, 8% less in Postgres). On PGlite, 2,000 by default: its
     * one connection serves ingest too, which waits while a batch's transaction runs.
     */
    FAULTLINE_DIGEST_BATCH: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(5000).optional()),
    /**
     * Under steady traffic, the least time from one digest batch of events to the next (ms; 0: none).
     * Batches then share their per-issue writes among more events; a quiet queue is digested at once.
     */
    FAULTLINE_DIGEST_INTERVAL_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(60_000).default(1000)),
    /** Digest transactions for events running at once (on Postgres; PGlite runs one for everything). */
    FAULTLINE_DIGEST_CONCURRENCY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(32).default(1)),
    /** Digest transactions for logs running at once (on Postgres). */
    FAULTLINE_LOG_DIGEST_CONCURRENCY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(32).default(4)),
    /**
     * Threads for the digest beside the main thread, which serves every request and is what limits a
     * busy server; one wherever there is a second core. On Postgres the first runs the whole digest
     * (pipeline/digest-thread.ts), any more prepare events for it; on PGlite (one connection, in the
     * main thread) they prepare events for the digest there. 0: everything on the main thread, events
     * prepared from ingest's own parse.
     */
    FAULTLINE_DIGEST_THREADS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(16).default(os.availableParallelism() > 1 ? 1 : 0)),
    /** Postgres connections for a real database. */
    FAULTLINE_DB_POOL: z.preprocess(emptyToUndefined, z.coerce.number().int().min(2).max(200).default(10)),
    /**
     * Where ingest spools accepted items while Postgres cannot be reached (pipeline/spool.ts); default
     * `<data dir>/spool`. One directory per ingest process. Not used on the embedded database.
     */
    FAULTLINE_SPOOL_DIR: optionalString,
    /** Bytes of spool files at most; past it, ingest answers 503 until the database is back. */
    FAULTLINE_SPOOL_MAX_BYTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1024 * 1024).default(1024 ** 3)),
    /** Trust X-Forwarded-For for the client address (behind a reverse proxy). */
    FAULTLINE_TRUST_PROXY: z.preprocess(emptyToUndefined, z.stringbool().default(false)),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL ?? null,
    dataDir: path.resolve(env.FAULTLINE_DATA_DIR),
    admin: {
      email: env.FAULTLINE_ADMIN_EMAIL.toLowerCase(),
      password: env.FAULTLINE_ADMIN_PASSWORD ?? null,
      token: env.FAULTLINE_ADMIN_TOKEN ?? null,
      orgName: env.FAULTLINE_ORG_NAME,
      projectName: env.FAULTLINE_PROJECT_NAME,
    },
    logLevel: env.LOG_LEVEL,
    limits: {
      maxBodyBytes: env.FAULTLINE_MAX_BODY_BYTES,
      maxEnvelopeBytes: env.FAULTLINE_MAX_ENVELOPE_BYTES,
      maxEventBytes: env.FAULTLINE_MAX_EVENT_BYTES,
      maxLogItemBytes: env.FAULTLINE_MAX_LOG_ITEM_BYTES,
    },
    queueFlushMs: env.FAULTLINE_QUEUE_FLUSH_MS,
    digestBatch: env.FAULTLINE_DIGEST_BATCH,
    digestIntervalMs: env.FAULTLINE_DIGEST_INTERVAL_MS,
    digestConcurrency: env.FAULTLINE_DIGEST_CONCURRENCY,
    logDigestConcurrency: env.FAULTLINE_LOG_DIGEST_CONCURRENCY,
    digestThreads: env.FAULTLINE_DIGEST_THREADS,
    dbPool: env.FAULTLINE_DB_POOL,
    spoolDir: path.resolve(env.FAULTLINE_SPOOL_DIR ?? path.join(env.FAULTLINE_DATA_DIR, 'spool')),
    spoolMaxBytes: env.FAULTLINE_SPOOL_MAX_BYTES,
    trustProxy: env.FAULTLINE_TRUST_PROXY,
  }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses a configuration from an environment-like record (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

/** Test and bench helper: a full config from a few overrides, without reading process.env. */
export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({ FAULTLINE_ADMIN_PASSWORD: 'test-password-123', ...overrides });
}
