// The digest's log part: queued log containers → stored records, each in a pattern, with pattern counts
// and hourly per-level stats, in the same transaction as the rest of the batch (nothing lost, nothing
// counted twice).
import type { Tx } from '../db/client.ts';
import { recordset, recordsetParam } from '../db/recordset.ts';
import { normalizeLogItem, type LogItemInput, type LogRecord } from './normalize.ts';
import type { PatternAssigner } from './assign.ts';

export interface LogQueueRow {
  id: number;
  project_id: number;
  received_at: Date;
  payload: string;
}

const RECORD_COLUMNS = [
  ['project_id', 'int'],
  ['timestamp', 'timestamptz'],
  ['id', 'uuid'],
  ['observed', 'timestamptz'],
  ['received', 'timestamptz'],
  ['level', 'text'],
  ['severity_number', 'smallint'],
  ['body', 'text'],
  ['trace_id', 'text'],
  ['span_id', 'text'],
  ['release', 'text'],
  ['environment', 'text'],
  ['service', 'text'],
  ['pattern_id', 'int8'],
  ['attributes', 'jsonb'],
] as const;
const COLUMN_LIST = RECORD_COLUMNS.map(([c]) => c).join(', ');
const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000).toISOString();
const CHUNK = 2000;

/** Parses the queued containers; a container that is not JSON any more (it was validated) is skipped. */
function recordsOf(row: LogQueueRow): LogRecord[] {
  let container: { items?: unknown };
  try {
    container = JSON.parse(row.payload) as { items?: unknown };
  } catch {
    return [];
  }
  if (!Array.isArray(container.items)) return [];
  return container.items.filter((i): i is LogItemInput => !!i && typeof i === 'object').map((i) => normalizeLogItem(i, row.received_at));
}

export async function digestLogs(tx: Tx, rows: LogQueueRow[], patterns: PatternAssigner): Promise<number> {
  const byProject = new Map<number, Array<{ row: LogQueueRow; record: LogRecord }>>();
  for (const row of rows) {
    const list = byProject.get(row.project_id) ?? [];
    for (const record of recordsOf(row)) list.push({ row, record });
    byProject.set(row.project_id, list);
  }
  let stored = 0;
  for (const [projectId, list] of byProject) {
    if (list.length === 0) continue;
    const patternIds = await patterns.assign(tx, projectId, list.map((x) => x.record));
    const counts = new Map<number, { n: number; first: Date; last: Date; sample: string }>();
    const stats = new Map<string, { pattern: number; bucket: string; level: string; n: number }>();
    for (let i = 0; i < list.length; i++) {
      const { record } = list[i];
      const id = patternIds[i];
      const c = counts.get(id);
      if (!c) counts.set(id, { n: 1, first: record.timestamp, last: record.timestamp, sample: record.body });
      else {
        c.n++;
        if (record.timestamp < c.first) c.first = record.timestamp;
        if (record.timestamp > c.last) c.last = record.timestamp;
      }
      const k = `${id}\u0001${hourOf(record.timestamp)}\u0001${record.level}`;
      const s = stats.get(k);
      if (s) s.n++;
      else stats.set(k, { pattern: id, bucket: hourOf(record.timestamp), level: record.level, n: 1 });
    }
    for (let from = 0; from < list.length; from += CHUNK) {
      const part = list.slice(from, from + CHUNK);
      await tx.query(`INSERT INTO log_records (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${recordset(1, RECORD_COLUMNS)}`, [
        recordsetParam(
          part.map(({ row, record }, i) => ({
            project_id: projectId,
            timestamp: record.timestamp,
            id: crypto.randomUUID(),
            observed: record.observed,
            received: row.received_at,
            level: record.level,
            severity_number: record.severityNumber,
            body: record.body,
            trace_id: record.traceId,
            span_id: record.spanId,
            release: record.release,
            environment: record.environment,
            service: record.service,
            pattern_id: patternIds[from + i],
            attributes: record.attributes,
          })),
        ),
      ]);
    }
    const ids = [...counts.keys()].sort((a, b) => a - b);
    const updated = await tx.query<{ id: number }>(
      `UPDATE log_patterns p SET count = p.count + c.n, first_seen = LEAST(p.first_seen, c.first), last_seen = GREATEST(p.last_seen, c.last)
       FROM ${recordset(1, [['id', 'int8'], ['n', 'int8'], ['first', 'timestamptz'], ['last', 'timestamptz']], 'c')} WHERE p.id = c.id RETURNING p.id`,
      [recordsetParam(ids.map((id) => ({ id, ...counts.get(id)! })))],
    );
    if (updated.length !== ids.length) {
      // A concurrent batch merged a pattern this one assigned records to (server/logs/assign.ts,
      // "Merges"): roll back and digest again (the worker retries serialization failures).
      throw Object.assign(new Error('log pattern merged by a concurrent batch'), { code: '40001' });
    }
    const statRows = [...stats.values()].sort((a, b) => a.pattern - b.pattern || (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.level < b.level ? -1 : 1));
    await tx.query(
      `INSERT INTO log_pattern_stats (pattern_id, bucket, level, count)
       SELECT pattern, bucket, level, n FROM ${recordset(1, [['pattern', 'int8'], ['bucket', 'timestamptz'], ['level', 'text'], ['n', 'int']])}
       ON CONFLICT (pattern_id, bucket, level) DO UPDATE SET count = log_pattern_stats.count + excluded.count`,
      [recordsetParam(statRows)],
    );
    stored += list.length;
  }
  return stored;
}

