// Events of an issue, and single events (Sentry's event API).
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.ts';
import { normalizeEventId } from '../ingest/payload.ts';
import { adjacentEventIds, eventGroupingInfo, getEventById, getIssueEvent, listIssueEvents, type EventRow } from '../queries/events.ts';
import { openapi, route, type ApiEnv } from './access.ts';
import { intParam, type ApiContext } from './context.ts';
import { EVENT_ID, keysetPage, parseCursor } from './pagination.ts';
import { errorResponses, EventSchema, EventSummarySchema, GroupingInfoSchema, IssueParams, json, OrgIssueParams, PageQuery, ProjectParams } from './schemas.ts';
import { serializeEvent, serializeEventSummary } from './serializers.ts';

const tags = ['Events'];
const eventIdParam = z.string().min(1).max(64).openapi({ param: { name: 'eventId', in: 'path' }, example: '9ec79c33ec9942ab8353589fcb2e04dc' });
const whichParam = z.string().min(1).max(64).openapi({ param: { name: 'which', in: 'path' }, description: 'latest, oldest or an event id' });

const pair = (suffix: string, summary: string, extra: Record<string, z.ZodType>, query: z.ZodObject | null, responses: Record<number, unknown>) =>
  [`/api/0/issues/{id}${suffix}`, `/api/0/organizations/{org}/issues/{id}${suffix}`].map((path, i) =>
    route({ kind: 'issue', scope: 'event:read' }, {
      method: 'get',
      path,
      tags,
      summary,
      request: { params: (i === 0 ? IssueParams : OrgIssueParams).extend(extra), ...(query ? { query } : {}) },
      responses: { ...(responses as object), ...errorResponses },
    } as never),
  );

const listRoutes = pair('/events', "An issue's events, newest first (full=true for whole events); a Link header carries the cursors", {}, PageQuery, {
  200: json(z.array(EventSummarySchema), 'Events'),
});
const oneRoutes = pair('/events/{which}', 'The latest, oldest or a given event of an issue', { which: whichParam }, null, { 200: json(EventSchema, 'The event') });

const projectEvent = route({ kind: 'project', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/projects/{org}/{project}/events/{eventId}',
  tags,
  summary: 'An event by id',
  request: { params: ProjectParams.extend({ eventId: eventIdParam }) },
  responses: { 200: json(EventSchema, 'The event'), ...errorResponses },
});

const groupingInfo = route({ kind: 'project', scope: 'event:read' }, {
  method: 'get',
  path: '/api/0/projects/{org}/{project}/events/{eventId}/grouping-info',
  tags,
  summary: 'Why an event was grouped where it was: its hashes and the components that made them',
  request: { params: ProjectParams.extend({ eventId: eventIdParam }) },
  responses: { 200: json(GroupingInfoSchema, 'Grouping information'), ...errorResponses },
});

export function eventRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  async function full(c: ApiContext, ev: EventRow) {
    const a = await adjacentEventIds(c.get('app').db, ev);
    return serializeEvent(ev, { previousEventID: a.previous, nextEventID: a.next });
  }

  async function projectEventOr404(c: ApiContext): Promise<EventRow> {
    const eventId = normalizeEventId(c.req.param('eventId'));
    const ev = eventId ? await getEventById(c.get('app').db, c.get('project').id, eventId) : null;
    if (!ev) throw new ApiError(404, 'event not found');
    return ev;
  }

  for (const rt of listRoutes) {
    openapi(r, rt, async (c) => {
      const { db } = c.get('app');
      const issue = c.get('issue');
      const limit = intParam(c, 'limit', 50, 1, 100);
      const cursor = parseCursor(c.req.query('cursor'), EVENT_ID);
      const isFull = c.req.query('full') === 'true' || c.req.query('full') === '1';
      const rows = keysetPage(c, await listIssueEvents(db, { issueId: issue.id, limit, after: cursor, full: isFull }), limit, cursor, (ev) => ({
        value: ev.timestamp.getTime(),
        id: ev.event_id,
      }));
      return c.json(rows.map((ev) => (isFull ? serializeEvent(ev) : serializeEventSummary(ev))));
    });
  }

  for (const rt of oneRoutes) {
    openapi(r, rt, async (c) => {
      const { db } = c.get('app');
      const issue = c.get('issue');
      const which = c.req.param('which')!;
      let ev: EventRow | null;
      if (which === 'latest' || which === 'oldest') ev = await getIssueEvent(db, issue.id, which);
      else {
        const eventId = normalizeEventId(which);
        ev = eventId ? await getEventById(db, issue.projectId, eventId) : null;
        if (ev && ev.issue_id !== issue.id) ev = null;
      }
      if (!ev) throw new ApiError(404, 'event not found');
      return c.json(await full(c, ev));
    });
  }

  openapi(r, projectEvent, async (c) => c.json(await full(c, await projectEventOr404(c))));
  openapi(r, groupingInfo, async (c) => c.json(await eventGroupingInfo(c.get('app').db, await projectEventOr404(c))));
  return r;
}
