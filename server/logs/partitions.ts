// Daily partitions of log_records (drizzle/0010_log_records.sql): created ahead of time, dropped whole
// when every project's retention has passed them. Records outside the daily partitions land in the
// DEFAULT partition, which retention trims with a DELETE.
import type { Queryable } from '../db/client.ts';

const DAY = 86_400_000;
const dayStart = (t: number) => Math.floor(t / DAY) * DAY;
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, '');
export const partitionName = (t: number) => `log_records_${ymd(dayStart(t))}`;

/** Creates the daily partitions from `fromDays` before today to `toDays` after it, if missing. */
export async function ensureLogPartitions(db: Queryable, now = Date.now(), fromDays = 1, toDays = 2): Promise<void> {
  const existing = new Set((await listPartitions(db)).map((p) => p.name));
  for (let d = -fromDays; d <= toDays; d++) {
    const start = dayStart(now) + d * DAY;
    const name = partitionName(start);
    if (existing.has(name)) continue;
    try {
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF log_records FOR VALUES FROM ('${new Date(start).toISOString()}') TO ('${new Date(start + DAY).toISOString()}')`,
      );
    } catch (err) {
      // Another process created it at the same moment, or the DEFAULT partition already holds rows of
      // that day (then they stay there and retention trims them): neither loses a record.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23514' && code !== '23505') throw err;
    }
  }
}

export async function listPartitions(db: Queryable): Promise<Array<{ name: string; day: number | null }>> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'log_records'`,
  );
  return rows.map((r) => {
    const m = /^log_records_(\d{4})(\d{2})(\d{2})$/.exec(r.name);
    return { name: r.name, day: m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null };
  });
}

/**
 * Retention: drops daily partitions older than the longest retention of any project, and deletes the
 * records of projects with a shorter retention (and old records in the DEFAULT partition).
 */
export async function applyLogRetention(db: Queryable, now = Date.now()): Promise<{ dropped: string[]; deleted: number }> {
  const projects = await db.query<{ id: number; days: number }>('SELECT id, log_retention_days AS days FROM projects');
  if (projects.length === 0) return { dropped: [], deleted: 0 };
  const longest = Math.max(...projects.map((p) => p.days));
  const cutoff = dayStart(now) - longest * DAY;
  const dropped: string[] = [];
  for (const p of await listPartitions(db)) {
    if (p.day !== null && p.day + DAY <= cutoff) {
      await db.query(`DROP TABLE IF EXISTS ${p.name}`);
      dropped.push(p.name);
    }
  }
  let deleted = 0;
  for (const p of projects) {
    const rows = await db.query<{ n: number }>(
      `WITH d AS (DELETE FROM log_records WHERE project_id = $1 AND timestamp < $2::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [p.id, new Date(now - p.days * DAY).toISOString()],
    );
    deleted += rows[0]?.n ?? 0;
  }
  // Pattern stats follow the longest retention.
  await db.query('DELETE FROM log_pattern_stats WHERE bucket < $1::timestamptz', [new Date(cutoff).toISOString()]);
  return { dropped, deleted };
}

