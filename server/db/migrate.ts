// Applies drizzle-kit's migrations from drizzle/ (architecture: "Storage"), at start-up and by `migrate`.
// On Postgres an advisory lock keeps two processes starting at once from racing.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');
const LOCK_ID = 7_243_911_001;

export async function migrate(db: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR, migrationsSchema: 'faultline_meta' };
  if (db.kind === 'pglite') {
    await migratePglite(db.orm as never, config);
    return;
  }
  await db.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
  try {
    await migratePostgres(db.orm as never, config);
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
  }
}
