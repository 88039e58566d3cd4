// A fresh database for one test file: PGlite in memory, or a new database on the local Postgres
// (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
// vitest runs every file under test/db twice, once per kind (FAULTLINE_TEST_DB, see vitest.config.ts).
import { randomBytes } from 'node:crypto';
import { connectPostgres, postgresTarget } from '../../server/db/url.ts';
import { openDatabase, type Database } from '../../server/db/client.ts';
import { migrate } from '../../server/db/migrate.ts';

export type DbKind = 'pglite' | 'postgres';

/** Read when used, not at import: the bench sets it (from BENCH_DATABASE_URL) after its imports. */
const adminUrl = () => process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export function testDbKind(): DbKind {
  const kind = process.env.FAULTLINE_TEST_DB ?? 'pglite';
  if (kind !== 'pglite' && kind !== 'postgres') throw new Error(`FAULTLINE_TEST_DB must be pglite or postgres, not ${kind}`);
  return kind;
}

export interface TestDatabase {
  db: Database;
  kind: DbKind;
  /** postgres:// URL of the fresh database (postgres kind only), for child processes. */
  url: string | null;
  close(): Promise<void>;
}

/** Creates an empty database on the local Postgres and returns its URL and a drop function. */
export async function createPostgresDatabase(prefix = 'faultline_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const server = adminUrl();
  const admin = connectPostgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = postgresTarget(server);
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  if (target.host) url.searchParams.set('host', target.host);
  if (target.port) url.searchParams.set('port', String(target.port));
  return {
    url: url.toString(),
    drop: async () => {
      const a = connectPostgres(server, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function openTestDatabase(kind: DbKind = testDbKind(), opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ dataDir: 'memory://' });
    if (opts.migrate !== false) await migrate(db);
    return { db, kind, url: null, close: () => db.close() };
  }
  const created = await createPostgresDatabase();
  const db = await openDatabase({ url: created.url, poolSize: 5 });
  if (opts.migrate !== false) await migrate(db);
  return {
    db,
    kind,
    url: created.url,
    close: async () => {
      await db.close();
      await created.drop();
    },
  };
}
