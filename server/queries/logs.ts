// Reads of logs: records (newest first, keyset pages), patterns with counts, the volume histogram and
// the live tail. Search terms (server/search/logs.ts) compile to parameterized SQL only.
import type { Queryable } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import { ApiError } from '../errors.ts';
import type { ResolvedTerm } from '../search/spec.ts';
import { escapeLike, wildcardToLike } from '../search/spec.ts';
import { Params } from './issue-filter.ts';

export interface LogRow {
  id: string;
  projectId: number;
  timestamp: Date;
  observed: Date | null;
  received: Date;
  level: string;
  severityNumber: number;
  body: string;
  traceId: string | null;
  spanId: string | null;
  release: string | null;
  environment: string | null;
  service: string | null;
  patternId: number;
  attributes: Record<string, { type: string; value: unknown; unit?: string }>;
}

const COLUMNS = `r.project_id, r.timestamp, replace(r.id::text, '-', '') AS id, r.observed, r.received, r.level, r.severity_number, r.body,
  r.trace_id, r.span_id, r.release, r.environment, r.service, r.pattern_id, r.attributes`;

function fromRow(r: Record<string, unknown>): LogRow {
  return {
    id: r.id as string,
    projectId: Number(r.project_id),
    timestamp: toDate(r.timestamp),
    observed: r.observed ? toDate(r.observed) : null,
    received: toDate(r.received),
    level: r.level as string,
    severityNumber: Number(r.severity_number),
    body: r.body as string,
    traceId: (r.trace_id as string) ?? null,
    spanId: (r.span_id as string) ?? null,
    release: (r.release as string) ?? null,
    environment: (r.environment as string) ?? null,
    service: (r.service as string) ?? null,
    patternId: Number(r.pattern_id),
    attributes: (typeof r.attributes === 'string' ? JSON.parse(r.attributes) : r.attributes) as LogRow['attributes'],
  };
}

const not = (negated: boolean, cond: string) => (negated ? `NOT (${cond})` : cond);
const COLUMN_KEYS: Record<string, string> = { trace: 'r.trace_id', span: 'r.span_id', release: 'r.release', environment: 'r.environment', service: 'r.service', message: 'r.body' };

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * The typed attribute values whose text form can equal one of `values`: the string itself, and the
 * number or boolean it spells. As jsonb containment objects ({key: {value: v}}), for the GIN index.
 */
export function attributeContainment(key: string, values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    out.push(JSON.stringify({ [key]: { value: v } }));
    // The literal itself, not a JS number: jsonb keeps numbers exact, doubles would round big ones.
    if (NUMBER.test(v)) out.push(`{${JSON.stringify(key)}:{"value":${v}}}`);
    if (v === 'true' || v === 'false') out.push(JSON.stringify({ [key]: { value: v === 'true' } }));
  }
  return out;
}

/** Conditions on `log_records r` for search terms. */
export function compileLogFilter(terms: ResolvedTerm[], p: Params): string[] {
  const out: string[] = [];
  for (const t of terms) {
    switch (t.kind) {
      case 'enum':
        out.push(not(t.negated, `r.level = ANY(${p.add(t.values)}::text[])`));
        break;
      case 'number':
        if (t.key === 'pattern') out.push(`r.pattern_id ${t.op === '!=' ? '<>' : t.op} ${p.add(t.value)}`);
        else if (t.key === 'severity') out.push(`r.severity_number ${t.op === '!=' ? '<>' : t.op} ${p.add(t.value)}`);
        else throw new ApiError(400, `unsupported key ${t.key}`);
        break;
      case 'string': {
        const col = COLUMN_KEYS[t.key];
        if (!col) throw new ApiError(400, `unsupported key ${t.key}`);
        const values = t.key === 'trace' || t.key === 'span' ? t.values.map((v) => v.replace(/-/g, '').toLowerCase()) : t.values;
        if (t.key === 'message') out.push(not(t.negated, `r.body ILIKE ANY(${p.add(values.map((v) => (t.wildcard ? wildcardToLike(v) : `%${escapeLike(v)}%`)))}::text[])`));
        else if (t.wildcard) out.push(not(t.negated, `${col} LIKE ANY(${p.add(values.map(wildcardToLike))}::text[])`));
        else out.push(not(t.negated, `${col} = ANY(${p.add(values)}::text[])`));
        break;
      }
      case 'tag': {
        // Any other key is an attribute, compared as text. An equality also gets a containment
        // prefilter the attributes' GIN index answers (the text comparison stays, and decides); the
        // index leaves out the SDKs' own `sentry.*` attributes (drizzle/0011).
        const value = `(r.attributes -> ${p.add(t.key)} ->> 'value')`;
        if (t.wildcard) out.push(not(t.negated, `${value} LIKE ANY(${p.add(t.values.map(wildcardToLike))}::text[])`));
        else if (t.negated) out.push(`NOT (${value} = ANY(${p.add(t.values)}::text[]))`);
        else if (t.key.startsWith('sentry.')) out.push(`${value} = ANY(${p.add(t.values)}::text[])`);
        else out.push(`(${attributeContainment(t.key, t.values).map((j) => `log_search_attributes(r.attributes) @> ${p.add(j)}::jsonb`).join(' OR ')}) AND ${value} = ANY(${p.add(t.values)}::text[])`);
        break;
      }
      case 'has':
        if (COLUMN_KEYS[t.key]) out.push(not(t.negated, `${COLUMN_KEYS[t.key]} IS NOT NULL`));
        else out.push(not(t.negated, `r.attributes ? ${p.add(t.key)}`));
        break;
      case 'text':
        out.push(not(t.negated, `r.body ILIKE ${p.add(`%${escapeLike(t.value)}%`)}`));
        break;
      default:
        throw new ApiError(400, `unsupported search term for logs: ${(t as { kind: string }).kind}`);
    }
  }
  return out;
}

export interface LogRange {
  start: Date;
  end: Date;
}

export interface LogListQuery {
  projectIds: number[];
  terms: ResolvedTerm[];
  range: LogRange;
  limit: number;
  cursor: { value: number; id: string; prev: boolean } | null;
  /** Tests: a smaller probe window (PROBE_ROWS). */
  probeRows?: number;
}

function baseWhere(q: { projectIds: number[]; terms: ResolvedTerm[]; range: LogRange }, p: Params): string[] {
  return [
    `r.project_id = ANY(${p.add(q.projectIds)}::int[])`,
    `r.timestamp >= ${p.add(q.range.start.toISOString())}::timestamptz`,
    `r.timestamp < ${p.add(q.range.end.toISOString())}::timestamptz`,
    ...compileLogFilter(q.terms, p),
  ];
}

/**
 * How many of the newest records in the range a filtered list reads first (see listLogs). Reading
 * them costs a few tens of milliseconds; a filter that matches at least one record in a few hundred
 * fills its page from them.
 */
const PROBE_ROWS = 20_000;

/**
 * Newest first; one row more than `limit` when there is more in the direction read.
 *
 * A filtered page is read in two steps, so that neither a common nor a rare filter reads much: first
 * the filter over the PROBE_ROWS records next in order (a walk down the time index, enough for any
 * common term); if that leaves the page short, the filter over the rest of the range, which the
 * planner answers from the search indexes (trigrams for text, jsonb containment for attributes,
 * pattern and trace indexes) instead of walking the time index past millions of records that do not
 * match.
 */
export async function listLogs(db: Queryable, q: LogListQuery): Promise<LogRow[]> {
  if (q.projectIds.length === 0) return [];
  const asc = q.cursor?.prev ?? false;
  const order = asc ? 'r.timestamp ASC, r.id ASC' : 'r.timestamp DESC, r.id DESC';
  const cmp = asc ? '>' : '<';
  const page = q.limit + 1;
  const probeRows = q.probeRows ?? PROBE_ROWS;
  const query = (bound: { timestamp: string; id: string } | null, limit: number, probe: boolean) => {
    const p = new Params();
    const where = baseWhere({ ...q, terms: [] }, p);
    if (bound) where.push(`(r.timestamp, r.id) ${cmp} (${p.add(bound.timestamp)}::timestamptz, ${p.add(bound.id)}::uuid)`);
    const filter = compileLogFilter(q.terms, p);
    if (!probe) {
      return db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM log_records r WHERE ${[...where, ...filter].join(' AND ')} ORDER BY ${order} LIMIT ${p.add(limit)}`, p.values);
    }
    // The window of the next PROBE_ROWS records, the page's matches in it, and where the window ends.
    return db.query<Record<string, unknown>>(
      `WITH w AS MATERIALIZED (SELECT r.* FROM log_records r WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p.add(probeRows)}),
            m AS (SELECT ${COLUMNS}, false AS window_end, null::text AS end_ts FROM w r WHERE ${filter.join(' AND ') || 'true'} ORDER BY ${order} LIMIT ${p.add(limit)}),
            e AS (SELECT ${COLUMNS}, true AS window_end, r.timestamp::text AS end_ts FROM w r ORDER BY ${asc ? 'r.timestamp DESC, r.id DESC' : 'r.timestamp ASC, r.id ASC'} LIMIT 1)
       SELECT * FROM m UNION ALL SELECT * FROM e WHERE (SELECT count(*) FROM w) = ${p.add(probeRows)}`,
      p.values,
    );
  };
  const cursor = q.cursor ? { timestamp: new Date(q.cursor.value).toISOString(), id: q.cursor.id } : null;
  if (q.terms.length === 0) return (await query(cursor, page, false)).map(fromRow);
  const probed = await query(cursor, page, true);
  const end = probed.find((r) => r.window_end);
  const found = probed.filter((r) => !r.window_end);
  // The window held the whole rest of the range, or the page is full.
  if (!end || found.length >= page) return found.map(fromRow);
  // The window's end as Postgres prints it: microseconds, which a JS date would round away.
  const rest = await query({ timestamp: end.end_ts as string, id: end.id as string }, page - found.length, false);
  return [...found, ...rest].map(fromRow);
}

/** Records newer (by arrival) than `after`, for the live tail. */
export async function tailLogs(db: Queryable, q: { projectIds: number[]; terms: ResolvedTerm[]; after: Date; limit: number }): Promise<LogRow[]> {
  if (q.projectIds.length === 0) return [];
  const p = new Params();
  // Late records (old timestamps) still reach the tail: it follows arrival time, over the last hour.
  const range = { start: new Date(Date.now() - 3_600_000), end: new Date(Date.now() + 60_000) };
  const where = [...baseWhere({ ...q, range }, p), `r.received > ${p.add(q.after.toISOString())}::timestamptz`];
  const rows = await db.query(`SELECT ${COLUMNS} FROM log_records r WHERE ${where.join(' AND ')} ORDER BY r.received ASC, r.timestamp ASC LIMIT ${p.add(q.limit)}`, p.values);
  return rows.map(fromRow);
}

export interface HistogramBucket {
  time: number;
  counts: Record<string, number>;
}

/** Records per bucket and level over the range. Without search terms it reads the hourly pattern stats. */
export async function logHistogram(db: Queryable, q: { projectIds: number[]; terms: ResolvedTerm[]; range: LogRange; intervalMs: number }): Promise<HistogramBucket[]> {
  const start = Math.floor(q.range.start.getTime() / q.intervalMs) * q.intervalMs;
  const buckets = new Map<number, HistogramBucket>();
  for (let t = start; t < q.range.end.getTime(); t += q.intervalMs) buckets.set(t, { time: t / 1000, counts: {} });
  if (q.projectIds.length === 0) return [...buckets.values()];
  const p = new Params();
  let rows: Array<{ bucket: unknown; level: string; n: number }>;
  if (q.terms.length === 0 && q.intervalMs >= 3_600_000) {
    rows = await db.query(
      `SELECT date_bin(${p.add(`${q.intervalMs / 1000} seconds`)}::interval, s.bucket, ${p.add(new Date(start).toISOString())}::timestamptz) AS bucket, s.level, sum(s.count)::int8 AS n
       FROM log_pattern_stats s JOIN log_patterns lp ON lp.id = s.pattern_id
       WHERE lp.project_id = ANY(${p.add(q.projectIds)}::int[]) AND s.bucket >= ${p.add(new Date(start).toISOString())}::timestamptz AND s.bucket < ${p.add(q.range.end.toISOString())}::timestamptz
       GROUP BY 1, 2`,
      p.values,
    );
  } else {
    const where = baseWhere(q, p);
    rows = await db.query(
      `SELECT date_bin(${p.add(`${q.intervalMs / 1000} seconds`)}::interval, r.timestamp, ${p.add(new Date(start).toISOString())}::timestamptz) AS bucket, r.level, count(*)::int8 AS n
       FROM log_records r WHERE ${where.join(' AND ')} GROUP BY 1, 2`,
      p.values,
    );
  }
  for (const r of rows) {
    const b = buckets.get(toDate(r.bucket).getTime());
    if (b) b.counts[r.level] = (b.counts[r.level] ?? 0) + Number(r.n);
  }
  return [...buckets.values()];
}

export interface PatternRow {
  id: number;
  projectId: number;
  template: string;
  sample: string;
  firstSeen: Date;
  lastSeen: Date;
  total: number;
  count: number;
  levels: Record<string, number>;
  series: Array<[number, number]>;
}

/** Patterns with records in the range, most records first; counts, levels and hourly series in range. */
export async function listLogPatterns(db: Queryable, q: { projectIds: number[]; range: LogRange; text: string | null; levels: string[] | null; limit: number }): Promise<PatternRow[]> {
  if (q.projectIds.length === 0) return [];
  const p = new Params();
  const where = [
    `lp.project_id = ANY(${p.add(q.projectIds)}::int[])`,
    `s.bucket >= ${p.add(new Date(Math.floor(q.range.start.getTime() / 3_600_000) * 3_600_000).toISOString())}::timestamptz`,
    `s.bucket < ${p.add(q.range.end.toISOString())}::timestamptz`,
  ];
  if (q.text) where.push(`(lp.template ILIKE ${p.add(`%${escapeLike(q.text)}%`)} OR lp.sample ILIKE ${p.add(`%${escapeLike(q.text)}%`)})`);
  if (q.levels) where.push(`s.level = ANY(${p.add(q.levels)}::text[])`);
  const rows = await db.query<{ id: number; project_id: number; template: string; sample: string; first_seen: unknown; last_seen: unknown; total: number; n: number }>(
    `SELECT lp.id, lp.project_id, lp.template, lp.sample, lp.first_seen, lp.last_seen, lp.count AS total, sum(s.count)::int8 AS n
     FROM log_pattern_stats s JOIN log_patterns lp ON lp.id = s.pattern_id
     WHERE ${where.join(' AND ')}
     GROUP BY lp.id ORDER BY n DESC, lp.id LIMIT ${p.add(q.limit)}`,
    p.values,
  );
  const ids = rows.map((r) => Number(r.id));
  const series = new Map<number, Map<number, number>>();
  const levels = new Map<number, Record<string, number>>();
  if (ids.length > 0) {
    const detail = await db.query<{ pattern_id: number; bucket: unknown; level: string; count: number }>(
      `SELECT pattern_id, bucket, level, count FROM log_pattern_stats WHERE pattern_id = ANY($1::int8[]) AND bucket >= $2::timestamptz AND bucket < $3::timestamptz`,
      [ids, q.range.start.toISOString(), q.range.end.toISOString()],
    );
    for (const d of detail) {
      const id = Number(d.pattern_id);
      const t = toDate(d.bucket).getTime();
      const m = series.get(id) ?? new Map<number, number>();
      m.set(t, (m.get(t) ?? 0) + Number(d.count));
      series.set(id, m);
      const l = levels.get(id) ?? {};
      l[d.level] = (l[d.level] ?? 0) + Number(d.count);
      levels.set(id, l);
    }
  }
  const hours: number[] = [];
  for (let t = Math.floor(q.range.start.getTime() / 3_600_000) * 3_600_000; t < q.range.end.getTime(); t += 3_600_000) hours.push(t);
  const step = Math.max(1, Math.ceil(hours.length / 48));
  return rows.map((r) => {
    const m = series.get(Number(r.id)) ?? new Map<number, number>();
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < hours.length; i += step) {
      let n = 0;
      for (let j = i; j < Math.min(hours.length, i + step); j++) n += m.get(hours[j]) ?? 0;
      buckets.push([hours[i] / 1000, n]);
    }
    return {
      id: Number(r.id),
      projectId: Number(r.project_id),
      template: r.template,
      sample: r.sample,
      firstSeen: toDate(r.first_seen),
      lastSeen: toDate(r.last_seen),
      total: Number(r.total),
      count: Number(r.n),
      levels: levels.get(Number(r.id)) ?? {},
      series: buckets,
    };
  });
}
