// An issue's events per hour or day over any range: a period ending now (statsPeriod) or start and end,
// as /issues/{id}/stats and /organizations/{org}/issues/{id}/stats.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.ts';
import { DAY_MS, HOUR_MS, issueStatsRange } from '../queries/issue-stats.ts';
import { openapi, type ApiEnv } from './access.ts';
import { issueRoutePair } from './issue-detail.ts';
import { json } from './schemas.ts';

const StatsQuery = z.object({
  statsPeriod: z.string().optional().openapi({ description: 'A period ending now: 24h, 14d, 30d, 90d (any <n>h or <n>d up to 90d); default 24h' }),
  start: z.string().optional().openapi({ description: 'Start (ISO 8601 or unix seconds), with end' }),
  end: z.string().optional().openapi({ description: 'End (ISO 8601 or unix seconds), with start' }),
  interval: z.string().optional().openapi({ description: '1h or 1d; default 1h for up to 3 days, else 1d' }),
});
const statsRoutes = issueRoutePair('get', '/stats', { scope: 'event:read' }, 'Events per hour or day over any range (statsPeriod, or start and end)', { query: StatsQuery }, {
  200: json(z.array(z.tuple([z.number(), z.number()])), '[unix seconds, events] per bucket, oldest first'),
});

/** Parses a time given as ISO 8601 or unix seconds. */
function timeParam(name: string, raw: string): Date {
  const d = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999) throw new ApiError(400, `${name} must be an ISO 8601 time or unix seconds`);
  return d;
}

const MAX_STATS_BUCKETS = 5000;
const MAX_STATS_PERIOD_MS = 90 * DAY_MS;

/** start, end and bucket size of a stats request; a period ends with the current bucket. */
export function statsRange(q: { statsPeriod?: string; start?: string; end?: string; interval?: string }, now = new Date()): { start: Date; end: Date; interval: number } {
  let interval: number | null = null;
  if (q.interval !== undefined) {
    const m = /^(\d+)([hd])$/.exec(q.interval);
    const ms = m ? Number(m[1]) * (m[2] === 'h' ? HOUR_MS : DAY_MS) : Number.NaN;
    if (ms === HOUR_MS) interval = HOUR_MS;
    else if (ms === DAY_MS) interval = DAY_MS;
    else throw new ApiError(400, 'interval must be 1h or 1d');
  }
  if ((q.start === undefined) !== (q.end === undefined)) throw new ApiError(400, 'send both start and end, or statsPeriod');
  if (q.start !== undefined && q.statsPeriod !== undefined) throw new ApiError(400, 'send either statsPeriod or start and end');
  if (q.start !== undefined && q.end !== undefined) {
    const start = timeParam('start', q.start);
    const end = timeParam('end', q.end);
    if (end.getTime() <= start.getTime()) throw new ApiError(400, 'end must be after start');
    const step = interval ?? (end.getTime() - start.getTime() <= 3 * DAY_MS ? HOUR_MS : DAY_MS);
    if ((end.getTime() - start.getTime()) / step > MAX_STATS_BUCKETS) throw new ApiError(400, `too many buckets: at most ${MAX_STATS_BUCKETS}, use a larger interval`);
    return { start, end, interval: step };
  }
  const m = /^(\d{1,4})([hd])$/.exec(q.statsPeriod ?? '24h');
  const period = m ? Number(m[1]) * (m[2] === 'h' ? HOUR_MS : DAY_MS) : Number.NaN;
  if (!(period > 0) || period > MAX_STATS_PERIOD_MS) throw new ApiError(400, 'statsPeriod must be like 24h, 14d, 30d or 90d (at most 90d)');
  const step = interval ?? (period <= 3 * DAY_MS ? HOUR_MS : DAY_MS);
  if (period % step !== 0) throw new ApiError(400, 'statsPeriod must be a whole number of intervals');
  const end = Math.floor(now.getTime() / step) * step + step;
  return { start: new Date(end - period), end: new Date(end), interval: step };
}

export function issueStatsRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  for (const rt of statsRoutes) {
    openapi(r, rt, async (c) => {
      const range = statsRange({ statsPeriod: c.req.query('statsPeriod'), start: c.req.query('start'), end: c.req.query('end'), interval: c.req.query('interval') });
      return c.json(await issueStatsRange(c.get('app').db, c.get('issue').id, range.start, range.end, range.interval));
    });
  }

  return r;
}
