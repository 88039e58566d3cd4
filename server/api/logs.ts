// Logs (architecture "Logs"): records newest first, patterns with counts, a volume histogram by level,
// and a live tail (server-sent events). All across the organization's projects you can see.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { ApiError } from '../errors.ts';
import { logHistogram, listLogPatterns, listLogs, tailLogs, type LogRange, type LogRow } from '../queries/logs.ts';
import { parseLogSearch } from '../search/logs.ts';
import { SearchSyntaxError } from '../search/errors.ts';
import type { ResolvedTerm } from '../search/spec.ts';
import { route, type ApiEnv, type ProjectRow } from './access.ts';
import { intParam, visibleProjects, type ApiContext } from './context.ts';
import { keysetPage, parseCursor } from './pagination.ts';
import { errorResponses, json, OrgParams, repeated } from './schemas.ts';

const tags = ['Logs'];
/**
 * The live tail starts this far back, so that what arrived while the page was opening it is not
 * missed; records received in that window show up in the tail at once.
 */
export const TAIL_LOOKBACK_MS = 2000;
const LOG_ID = /^[0-9a-f]{32}$/;

const RangeQuery = z.object({
  project: repeated('Project ids (-1: all)'),
  query: z.string().max(2000).optional().openapi({ description: 'free text on the body, level:, trace:, pattern:, release:, environment:, service:, any attribute:value' }),
  statsPeriod: z.string().optional().openapi({ description: 'e.g. 15m, 1h, 24h, 14d (default 24h)' }),
  start: z.string().optional().openapi({ description: 'ISO time or unix seconds' }),
  end: z.string().optional(),
});

const LogSchema = z
  .object({
    id: z.string(),
    timestamp: z.string(),
    level: z.string(),
    severityNumber: z.number(),
    body: z.string(),
    traceId: z.string().nullable(),
    spanId: z.string().nullable(),
    project: z.object({ id: z.string(), slug: z.string() }),
    patternId: z.string(),
    release: z.string().nullable(),
    environment: z.string().nullable(),
    service: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
  })
  .openapi('LogRecord');

const PatternSchema = z
  .object({
    id: z.string(),
    pattern: z.string(),
    count: z.number().openapi({ description: 'records in the period' }),
    totalCount: z.number(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    levels: z.record(z.string(), z.number()),
    project: z.object({ id: z.string(), slug: z.string() }),
    sample: z.string(),
    stats: z.array(z.tuple([z.number(), z.number()])),
  })
  .openapi('LogPattern');

const listRoute = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/logs',
  tags,
  summary: 'Log records, newest first; a Link header carries the cursors',
  request: { params: OrgParams, query: RangeQuery.extend({ limit: z.string().optional(), cursor: z.string().optional() }) },
  responses: { 200: json(z.array(LogSchema), 'Records'), ...errorResponses },
});
const patternsRoute = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/log-patterns',
  tags,
  summary: 'Log patterns with records in the period, most frequent first (query: free text on the pattern, level:)',
  request: { params: OrgParams, query: RangeQuery.extend({ limit: z.string().optional() }) },
  responses: { 200: json(z.array(PatternSchema), 'Patterns'), ...errorResponses },
});
const histogramRoute = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/logs/histogram',
  tags,
  summary: 'Records per time bucket and level',
  request: { params: OrgParams, query: RangeQuery.extend({ interval: z.string().optional().openapi({ description: 'bucket size, e.g. 1m, 5m, 1h (chosen from the range by default)' }) }) },
  responses: { 200: json(z.array(z.object({ time: z.number(), counts: z.record(z.string(), z.number()) })), 'Buckets'), ...errorResponses },
});
const tailRoute = route({ kind: 'org', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/organizations/{org}/logs/tail',
  tags,
  summary: 'Live tail: server-sent events, one `log` event per new record matching the query',
  request: { params: OrgParams, query: RangeQuery.pick({ project: true, query: true }) },
  responses: { 200: { description: 'text/event-stream' }, ...errorResponses },
});

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
function duration(raw: string, name: string): number {
  const m = /^(\d{1,5})([smhdw])$/.exec(raw);
  if (!m) throw new ApiError(400, `${name} must look like 15m, 24h or 14d`);
  return Number(m[1]) * UNITS[m[2]];
}
function time(raw: string, name: string): Date {
  const d = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(d.getTime())) throw new ApiError(400, `${name} is not a time`);
  return d;
}

function rangeOf(c: ApiContext): LogRange {
  const q = c.req.query();
  const now = Date.now();
  if (q.start || q.end) {
    const start = q.start ? time(q.start, 'start') : new Date(now - 86_400_000);
    const end = q.end ? time(q.end, 'end') : new Date(now + 60_000);
    if (end <= start) throw new ApiError(400, 'end must be after start');
    if (end.getTime() - start.getTime() > 366 * 86_400_000) throw new ApiError(400, 'the range is at most a year');
    return { start, end };
  }
  const span = duration(q.statsPeriod || '24h', 'statsPeriod');
  if (span > 366 * 86_400_000) throw new ApiError(400, 'statsPeriod is at most a year');
  return { start: new Date(now - span), end: new Date(now + 60_000) };
}

function termsOf(c: ApiContext): ResolvedTerm[] {
  try {
    return parseLogSearch(c.req.query('query') ?? '');
  } catch (err) {
    if (err instanceof SearchSyntaxError) throw new ApiError(400, `invalid search query: ${err.message}`);
    throw err;
  }
}

async function projectsOf(c: ApiContext): Promise<ProjectRow[]> {
  const ids = (c.req.queries('project') ?? []).map((v) => {
    if (!/^-?\d{1,10}$/.test(v)) throw new ApiError(400, `project must be a project id, got "${v.slice(0, 40)}"`);
    return Number(v);
  });
  return visibleProjects(c.get('app').db.orm, c.get('member'), ids.includes(-1) ? undefined : ids);
}

function serializeLog(r: LogRow, slugs: Map<number, string>) {
  const attributes: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(r.attributes ?? {})) attributes[k] = a.value;
  return {
    id: r.id,
    timestamp: r.timestamp.toISOString(),
    level: r.level,
    severityNumber: r.severityNumber,
    body: r.body,
    traceId: r.traceId,
    spanId: r.spanId,
    project: { id: String(r.projectId), slug: slugs.get(r.projectId) ?? '' },
    patternId: String(r.patternId),
    release: r.release,
    environment: r.environment,
    service: r.service,
    attributes,
  };
}

/** A bucket size giving 30 to 120 buckets over the range. */
/**
 * About 120 buckets at most. Unfiltered, a range of a day or more gets hourly buckets at least: those
 * come from the hourly pattern stats, while finer ones count records (a day is millions of them).
 */
function autoInterval(range: LogRange, filtered: boolean): number {
  const span = range.end.getTime() - range.start.getTime();
  const steps = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];
  const step = steps.find((s) => span / s <= 120) ?? 86_400_000;
  return !filtered && span >= 86_400_000 ? Math.max(step, 3_600_000) : step;
}

export function logRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  r.openapi(listRoute, async (c) => {
    const { db } = c.get('app');
    const projects = await projectsOf(c);
    const limit = intParam(c, 'limit', 100, 1, 1000);
    const cursor = parseCursor(c.req.query('cursor'), LOG_ID);
    const rows = keysetPage(
      c,
      await listLogs(db, { projectIds: projects.map((p) => p.id), terms: termsOf(c), range: rangeOf(c), limit, cursor }),
      limit,
      cursor,
      (r) => ({ value: r.timestamp.getTime(), id: r.id }),
    );
    const slugs = new Map(projects.map((p) => [p.id, p.slug]));
    return c.json(rows.map((row) => serializeLog(row, slugs)), 200);
  });

  r.openapi(patternsRoute, async (c) => {
    const { db } = c.get('app');
    const projects = await projectsOf(c);
    const terms = termsOf(c);
    const text = terms.filter((t) => t.kind === 'text').map((t) => (t as { value: string }).value).join(' ') || null;
    const levelTerm = terms.find((t) => t.kind === 'enum' && t.key === 'level') as { values: string[] } | undefined;
    const rows = await listLogPatterns(db, { projectIds: projects.map((p) => p.id), range: rangeOf(c), text, levels: levelTerm?.values ?? null, limit: intParam(c, 'limit', 100, 1, 1000) });
    const slugs = new Map(projects.map((p) => [p.id, p.slug]));
    return c.json(
      rows.map((p) => ({
        id: String(p.id),
        pattern: p.template,
        count: p.count,
        totalCount: p.total,
        firstSeen: p.firstSeen.toISOString(),
        lastSeen: p.lastSeen.toISOString(),
        levels: p.levels,
        project: { id: String(p.projectId), slug: slugs.get(p.projectId) ?? '' },
        sample: p.sample,
        stats: p.series,
      })),
      200,
    );
  });

  r.openapi(histogramRoute, async (c) => {
    const { db } = c.get('app');
    const projects = await projectsOf(c);
    const range = rangeOf(c);
    const terms = termsOf(c);
    const intervalMs = c.req.query('interval') ? duration(c.req.query('interval')!, 'interval') : autoInterval(range, terms.length > 0);
    if ((range.end.getTime() - range.start.getTime()) / intervalMs > 2000) throw new ApiError(400, 'at most 2000 buckets: choose a larger interval');
    return c.json(await logHistogram(db, { projectIds: projects.map((p) => p.id), terms, range, intervalMs }), 200);
  });

  // Polls the database once a second (so it works with any number of processes) and sends what arrived,
  // from TAIL_LOOKBACK_MS before the tail opened.
  r.openapi(tailRoute, async (c) => {
    const { db } = c.get('app');
    const projects = await projectsOf(c);
    const terms = termsOf(c);
    const slugs = new Map(projects.map((p) => [p.id, p.slug]));
    return streamSSE(c, async (stream) => {
      let after = new Date(Date.now() - TAIL_LOOKBACK_MS);
      let closed = false;
      stream.onAbort(() => {
        closed = true;
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      const deadline = Date.now() + 30 * 60_000;
      while (!closed && Date.now() < deadline) {
        const rows = await tailLogs(db, { projectIds: projects.map((p) => p.id), terms, after, limit: 500 });
        for (const row of rows) {
          await stream.writeSSE({ event: 'log', id: row.id, data: JSON.stringify(serializeLog(row, slugs)) });
          if (row.received > after) after = row.received;
        }
        if (rows.length === 0) await stream.writeSSE({ event: 'ping', data: '{}' });
        await stream.sleep(1000);
      }
    }) as never;
  });

  return r;
}
