// Events of an issue, and single events (Sentry's event API).
//   GET /issues/{id}/events/?full=true&cursor=&limit=
//   GET /issues/{id}/events/latest/ | /oldest/ | /{event_id}/
//   GET /projects/{org}/{project}/events/{event_id}/
//   GET /projects/{org}/{project}/events/{event_id}/grouping-info/   why it was grouped
import { Hono } from 'hono';
import type { AppContext } from '../app.ts';
import { ApiError } from '../errors.ts';
import { normalizeEventId } from '../ingest/payload.ts';
import { adjacentEventIds, eventGroupingInfo, getEventById, getIssueEvent, listIssueEvents, type EventRow } from '../queries/events.ts';
import { intParam, issueFor, projectFor, type ApiContext, type ApiEnv } from './context.ts';
import { EVENT_ID, linkHeader, parseCursor } from './pagination.ts';
import { serializeEvent, serializeEventSummary } from './serializers.ts';

export function eventRoutes(ctx: AppContext): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const { db, config } = ctx;

  async function full(ev: EventRow) {
    return serializeEvent(ev, await adjacentEventIds(db, ev).then((a) => ({ previousEventID: a.previous, nextEventID: a.next })));
  }

  const paths = (p: string) => [p, `/organizations/:org${p}`];

  for (const path of paths('/issues/:id/events')) {
    r.get(path, async (c: ApiContext) => {
      const { issue } = await issueFor(c, c.req.param('id')!, 'event:read', c.req.param('org'));
      const limit = intParam(c, 'limit', 50, 1, 100);
      const cursor = parseCursor(c.req.query('cursor'), EVENT_ID);
      const isFull = c.req.query('full') === 'true' || c.req.query('full') === '1';
      const rows = await listIssueEvents(db, { issueId: issue.id, limit, after: cursor, full: isFull });
      const more = rows.length > limit;
      if (more) rows.pop();
      if (cursor?.prev) rows.reverse();
      const first = rows[0];
      const last = rows.at(-1);
      const u = new URL(c.req.url);
      c.header(
        'Link',
        linkHeader(
          `${config.publicUrl}${u.pathname}${u.search}`,
          first ? { value: first.timestamp.getTime(), id: first.event_id, prev: true } : null,
          last ? { value: last.timestamp.getTime(), id: last.event_id, prev: false } : null,
          cursor ? (cursor.prev ? more : true) : false,
          cursor?.prev ? true : more,
        ),
      );
      return c.json(rows.map((ev) => (isFull ? serializeEvent(ev) : serializeEventSummary(ev))));
    });

    r.get(`${path}/:which`, async (c: ApiContext) => {
      const { issue } = await issueFor(c, c.req.param('id')!, 'event:read', c.req.param('org'));
      const which = c.req.param('which')!;
      let ev: EventRow | null;
      if (which === 'latest' || which === 'oldest') ev = await getIssueEvent(db, issue.id, which);
      else {
        const eventId = normalizeEventId(which);
        ev = eventId ? await getEventById(db, issue.projectId, eventId) : null;
        if (ev && ev.issue_id !== issue.id) ev = null;
      }
      if (!ev) throw new ApiError(404, 'event not found');
      return c.json(await full(ev));
    });
  }

  r.get('/projects/:org/:project/events/:eventId/grouping-info', async (c) => {
    const { project } = await projectFor(c, c.req.param('org'), c.req.param('project'), 'event:read');
    const eventId = normalizeEventId(c.req.param('eventId'));
    const ev = eventId ? await getEventById(db, project.id, eventId) : null;
    if (!ev) throw new ApiError(404, 'event not found');
    return c.json(await eventGroupingInfo(db, ev));
  });

  r.get('/projects/:org/:project/events/:eventId', async (c) => {
    const { project } = await projectFor(c, c.req.param('org'), c.req.param('project'), 'event:read');
    const eventId = normalizeEventId(c.req.param('eventId'));
    const ev = eventId ? await getEventById(db, project.id, eventId) : null;
    if (!ev) throw new ApiError(404, 'event not found');
    return c.json(await full(ev));
  });

  return r;
}
