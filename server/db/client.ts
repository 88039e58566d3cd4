// Opens the database: PGlite (embedded, data under the data dir) or a real Postgres via postgres.js.
// Both are wrapped in one small interface so every other module is driver-agnostic:
//  - `orm`: drizzle, for typed queries in the API and bootstrap;
//  - `query(text, params, opts)`: raw parameterized SQL for the hot paths (queue, digest), rows as objects;
//  - `begin(fn)`: a transaction whose callback gets the same interface.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';
import { connectPostgres } from './url.ts';

export type Row = Record<string, unknown>;
export type Orm = ReturnType<typeof drizzlePostgres<typeof schema>>;

export interface QueryOptions {
  /**
   * Postgres: run it as a named prepared statement, kept per connection. Only for SQL whose text never
   * varies (a hot path's fixed statements): Postgres then parses and plans it once, and postgres.js
   * skips the round trip in which it would otherwise ask for the parameter types before every run.
   * PGlite ignores it.
   */
  prepare?: boolean;
}

/** For the hot paths' fixed statements. */
export const PREPARED: QueryOptions = { prepare: true };

export interface Queryable {
  query<T = Row>(text: string, params?: unknown[], opts?: QueryOptions): Promise<T[]>;
}

export interface Tx extends Queryable {
  orm: Orm;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  begin<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
  /** Runs one SQL script (several statements, no parameters). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; without one, PGlite is used. */
  url?: string | null;
  /** PGlite data directory; `memory://` (or undefined) keeps it in memory. */
  dataDir?: string;
  poolSize?: number;
  /** postgres.js search_path for every connection (tests use one schema per file). */
  schema?: string;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts) : openPglite(opts.dataDir);
}

/**
 * lz4 compresses TOASTed values (event bodies) several times faster than the default pglz; use it for
 * every session where the server was built with it (Debian's is; PGlite is not).
 */
async function toastCompression(url: string): Promise<Record<string, string>> {
  const probe = connectPostgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await probe.unsafe(`SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'`);
    const values = (row?.enumvals ?? []) as string[];
    return values.includes('lz4') ? { default_toast_compression: 'lz4' } : {};
  } finally {
    await probe.end();
  }
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  const session = await toastCompression(url);
  const client = connectPostgres(url, {
    max: opts.poolSize ?? 10,
    // An unreachable host (no answer at all) fails a connection attempt in 10 s, not postgres.js' 30:
    // ingest then spools (pipeline/spool.ts) instead of holding requests that long.
    connect_timeout: 10,
    onnotice: () => {},
    // bigint columns as JS numbers, as on PGlite (ids and counters stay far below 2^53).
    types: { int8: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    transform: { undefined: null },
    connection: { application_name: 'faultline', ...session, ...(opts.schema ? { search_path: opts.schema } : {}) },
  });
  const orm = drizzlePostgres(client, { schema });
  const run = async <T>(q: postgres.Sql | postgres.TransactionSql, text: string, params?: unknown[], opts?: QueryOptions) =>
    (await q.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[], { prepare: opts?.prepare ?? false })) as unknown as T[];
  return {
    kind: 'postgres',
    orm,
    query: (text, params, opts) => run(client, text, params, opts),
    begin: (fn) =>
      client.begin(async (txSql) => {
        // drizzle reads (and sets) type parsers on `options`, which a TransactionSql lacks: share the pool's.
        Object.assign(txSql, { options: client.options });
        const txOrm = drizzlePostgres(txSql as unknown as postgres.Sql, { schema });
        return fn({ orm: txOrm, query: (text, params, opts) => run(txSql, text, params, opts) });
      }) as never,
    exec: async (script) => {
      await client.unsafe(script);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir?: string): Promise<Database> {
  let dir: string | undefined;
  if (dataDir && !dataDir.startsWith('memory://')) {
    dir = path.resolve(dataDir);
    fs.mkdirSync(dir, { recursive: true });
  }
  // pg_trgm: the log search's trigram index (drizzle/0011).
  const pg = await PGlite.create({ ...(dir ? { dataDir: dir } : {}), extensions: { pg_trgm } });
  const orm = drizzlePglite(pg, { schema }) as unknown as Orm;
  // int8 → number, like the postgres.js side.
  const parse = { 20: (v: string) => Number(v) };
  let closed = false;
  return {
    kind: 'pglite',
    orm,
    query: async (text, params) => (await pg.query(text, params, { parsers: parse })).rows as never,
    begin: (fn) =>
      pg.transaction(async (tx) => {
        const txOrm = drizzlePglite(tx as unknown as PGlite, { schema }) as unknown as Orm;
        return fn({ orm: txOrm, query: async (text, params) => (await tx.query(text, params, { parsers: parse })).rows as never });
      }),
    exec: async (script) => {
      await pg.exec(script);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pg.close();
    },
  };
}

/**
 * A timestamp read by a raw query: PGlite gives a Date, postgres.js (whose timestamp parser drizzle
 * replaces with a pass-through) gives Postgres' text form, e.g. `2026-11-23 07:29:51.85+00`.
 */
export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'string') {
    const iso = v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
    return new Date(iso);
  }
  if (typeof v === 'number') return new Date(v);
  throw new TypeError(`not a timestamp: ${String(v)}`);
}
