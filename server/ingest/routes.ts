// The protocol edge (architecture step 1): authenticate, enforce size limits, undo the body encoding,
// turn every protocol into queue items, and answer only once they are durable. No grouping here.
//
// Routes (protocol doc §1.2), trailing slash optional, behind any path prefix (see app.ts):
//   POST /api/{project_id}/envelope/   every modern SDK
//   POST /api/{project_id}/store/      legacy single-event JSON (sentry-python 1.x, raven-*, old sentry-go)
//   POST /api/store/                   legacy, project from the key
//   OPTIONS on all of them             CORS preflight, no auth (§1.4)
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { Config } from '../config.ts';
import type { QueueItem, QueueWriter } from '../pipeline/queue.ts';
import { authFromRequest, withEnvelopeDsn, type IngestAuth } from './auth.ts';
import { decodeBody, readBody } from './decode.ts';
import { parseEnvelope, type Envelope } from './envelope.ts';
import { IngestError } from './errors.ts';
import { logContainer, minimalLogsToItems, otelLogItem, otlpBodyToItems, otlpResponse } from './logs.ts';
import type { KeyCache, KeyInfo } from './keys.ts';
import { decodeStoreBody, normalizeEventId, parseEventJson } from './payload.ts';
import { KeyRateLimited } from './rate-limit.ts';

export interface IngestDeps {
  config: Pick<Config, 'limits' | 'trustProxy'>;
  queue: QueueWriter;
  keys: KeyCache;
  /** Counts what was accepted and dropped, by item type (for metrics and tests). */
  onItems?: (projectId: number, stored: number, dropped: Record<string, number>) => void;
}

type Env = { Bindings: Partial<HttpBindings> };

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers':
    'x-sentry-auth, x-requested-with, x-forwarded-for, origin, referer, accept, content-type, authentication, authorization, content-encoding, transfer-encoding',
  'Access-Control-Expose-Headers': 'x-sentry-error, x-sentry-rate-limits, retry-after',
  'Access-Control-Max-Age': '3600',
};

const MAX_PROJECT_ID = 2_147_483_647;

interface Authenticated {
  projectId: number;
  auth: IngestAuth;
  key: KeyInfo;
}

export function ingestRoutes(deps: IngestDeps): Hono<Env> {
  const { limits } = deps.config;
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(CORS_HEADERS)) c.res.headers.set(k, v);
  });
  app.options('*', (c) => c.body(null, 204));

  app.onError((err, c) => {
    // A DSN key over its rate limit (rate-limit.ts, protocol §4.3).
    if (err instanceof KeyRateLimited) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      c.header('X-Sentry-Error', err.message);
      return c.json({ detail: err.message }, 429);
    }
    const e = err instanceof IngestError ? err : null;
    if (!e) console.error('ingest: unexpected error', err);
    const status = e?.status ?? 500;
    const detail = e?.message ?? 'internal error';
    c.header('X-Sentry-Error', detail.replace(/[^\x20-\x7e]/g, '?'));
    if (status === 503) c.header('Retry-After', '5');
    return c.json({ detail }, status as 400);
  });

  /** Resolves the key to its project and checks it against the project in the URL. */
  async function authenticate(auth: IngestAuth | null, pathProjectId: number | null): Promise<Authenticated> {
    if (!auth) throw new IngestError('missing_auth');
    let key;
    try {
      key = await deps.keys.get(auth.publicKey);
    } catch {
      throw new IngestError('unavailable');
    }
    if (!key) throw new IngestError('unknown_key');
    if (!key.isActive) throw new IngestError('disabled_key');
    if (pathProjectId !== null && key.projectId !== pathProjectId) throw new IngestError('wrong_project');
    if (key.rateLimit) deps.keys.rateLimits.check(key);
    return { projectId: key.projectId, auth, key };
  }

  function requestAuth(c: Context<Env>): IngestAuth | null {
    return authFromRequest({
      xSentryAuth: c.req.header('x-sentry-auth'),
      authorization: c.req.header('authorization'),
      query: new URL(c.req.url).searchParams,
    });
  }

  function projectIdFromPath(c: Context<Env>): number {
    const raw = c.req.param('projectId') ?? '';
    const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
    if (!(id >= 1 && id <= MAX_PROJECT_ID)) throw new IngestError('invalid_project_id', raw.slice(0, 40));
    return id;
  }

  async function readDecoded(c: Context<Env>): Promise<Buffer> {
    const raw = await readBody(c.req.raw, c.env?.incoming, limits.maxBodyBytes);
    if (raw.length === 0) throw new IngestError('empty_body');
    const body = await decodeBody(raw, c.req.header('content-encoding'), limits.maxEnvelopeBytes);
    if (body.length === 0) throw new IngestError('empty_body');
    return body;
  }

  function clientIp(c: Context<Env>): string | null {
    if (deps.config.trustProxy) {
      const fwd = c.req.header('x-forwarded-for');
      if (fwd) return fwd.split(',')[0].trim().slice(0, 64) || null;
    }
    return c.env?.incoming?.socket?.remoteAddress ?? null;
  }

  function eventItem(payload: Buffer | string, who: Authenticated, c: Context<Env>, receivedAt: Date, headerEventId: string | null, sentAt: unknown) {
    if (payload.length > limits.maxEventBytes) throw new IngestError('item_too_large', `${payload.length} > ${limits.maxEventBytes} bytes`);
    const { event, text } = parseEventJson(typeof payload === 'string' ? payload : payload.toString('utf8'));
    let eventId = headerEventId;
    if (!eventId && event.event_id !== undefined && event.event_id !== null) {
      eventId = normalizeEventId(event.event_id);
      if (!eventId) throw new IngestError('invalid_event_id', String(event.event_id).slice(0, 64));
    }
    const item: QueueItem = {
      projectId: who.projectId,
      kind: 'event',
      receivedAt,
      payload: text,
      parsed: event,
      meta: {
        eventId: eventId ?? crypto.randomUUID().replace(/-/g, ''),
        sentAt: typeof sentAt === 'string' ? sentAt.slice(0, 64) : null,
        clientIp: clientIp(c),
        client: who.auth.client ?? c.req.header('user-agent')?.slice(0, 200) ?? null,
      },
    };
    return { item, isTransaction: event.type === 'transaction' };
  }

  async function acceptEnvelope(c: Context<Env>, envelope: Envelope, auth: IngestAuth | null, pathProjectId: number | null, receivedAt: Date) {
    const who = await authenticate(withEnvelopeDsn(auth, envelope.header.dsn), pathProjectId);
    let headerEventId: string | null = null;
    if (envelope.header.event_id !== undefined && envelope.header.event_id !== null) {
      headerEventId = normalizeEventId(envelope.header.event_id);
      if (!headerEventId) throw new IngestError('invalid_event_id', String(envelope.header.event_id).slice(0, 64));
    }
    const items: QueueItem[] = [];
    const dropped: Record<string, number> = {};
    const otelLogs: Array<Record<string, unknown>> = [];
    let events = 0;
    for (const item of envelope.items) {
      const type = item.header.type;
      if (type === 'event') {
        if (events++ > 0) throw new IngestError('duplicate_event_item');
        items.push(eventItem(item.payload, who, c, receivedAt, headerEventId, envelope.header.sent_at).item);
      } else if (type === 'log') {
        if (item.payload.length > limits.maxLogItemBytes) throw new IngestError('item_too_large', `log item over ${limits.maxLogItemBytes} bytes`);
        items.push(logItem(logContainer(item.payload.toString('utf8')).payload, who, c, receivedAt));
      } else if (type === 'otel_log') {
        otelLogs.push(otelLogItem(item.payload.toString('utf8')));
      } else {
        // Transactions, sessions, client reports, attachments, replays...: accepted and dropped
        // without an error, so SDKs neither log failures nor record losses (protocol §3.3).
        const k = type.slice(0, 40);
        dropped[k] = (dropped[k] ?? 0) + 1;
      }
    }
    if (otelLogs.length > 0) items.push(logItem(JSON.stringify({ items: otelLogs }), who, c, receivedAt));
    // Key rate limits count error events (Sentry's `error` category), not log records.
    if (who.key.rateLimit && events > 0) await deps.keys.rateLimits.take(who.key, events);
    await deps.queue.enqueue(items);
    deps.onItems?.(who.projectId, items.length, dropped);
    const id = items.find((i) => i.kind === 'event')?.meta.eventId ?? headerEventId;
    return c.json(id ? { id } : {});
  }

  app.post('/api/:projectId/envelope', async (c) => {
    const receivedAt = new Date();
    const projectId = projectIdFromPath(c);
    const auth = requestAuth(c);
    if (auth) await authenticate(auth, projectId); // fail fast before reading the body
    const envelope = parseEnvelope(await readDecoded(c));
    return acceptEnvelope(c, envelope, auth, projectId, receivedAt);
  });

  async function store(c: Context<Env>, pathProjectId: number | null) {
    const receivedAt = new Date();
    const auth = requestAuth(c);
    const body = await readDecoded(c);
    // Relay reads a store body sent as an envelope as one (protocol §2.2 step 4).
    if ((c.req.header('content-type') ?? '').toLowerCase().startsWith('application/x-sentry-envelope')) {
      return acceptEnvelope(c, parseEnvelope(body), auth, pathProjectId, receivedAt);
    }
    const who = await authenticate(auth, pathProjectId);
    const text = await decodeStoreBody(body, limits.maxEnvelopeBytes);
    const { item, isTransaction } = eventItem(text, who, c, receivedAt, null, null);
    // A transaction sent to /store/ is accepted and dropped like one in an envelope (protocol §2.2 step 6).
    if (isTransaction) {
      deps.onItems?.(who.projectId, 0, { transaction: 1 });
      return c.json({ id: item.meta.eventId });
    }
    if (who.key.rateLimit) await deps.keys.rateLimits.take(who.key, 1);
    await deps.queue.enqueue([item]);
    deps.onItems?.(who.projectId, 1, {});
    return c.json({ id: item.meta.eventId });
  }

  /** A log container as a queue item; logs have no event id, the meta's id only names the item. */
  function logItem(payload: string, who: Authenticated, c: Context<Env>, receivedAt: Date): QueueItem {
    return {
      projectId: who.projectId,
      kind: 'log',
      receivedAt,
      payload,
      meta: { eventId: crypto.randomUUID().replace(/-/g, ''), clientIp: clientIp(c), client: who.auth.client ?? c.req.header('user-agent')?.slice(0, 200) ?? null },
    };
  }

  async function acceptLogItems(c: Context<Env>, who: Authenticated, records: Array<Record<string, unknown>>, receivedAt: Date) {
    if (records.length > 0) await deps.queue.enqueue([logItem(JSON.stringify({ items: records }), who, c, receivedAt)]);
    deps.onItems?.(who.projectId, records.length > 0 ? 1 : 0, {});
  }

  // OTLP/HTTP logs (protocol doc §1.2): JSON or protobuf, the key in any header SDK exporters use
  // (x-sentry-auth, Authorization: Basic or Sentry), the query string, or a path with the project id.
  async function otlp(c: Context<Env>, pathProjectId: number | null) {
    const receivedAt = new Date();
    const who = await authenticate(requestAuth(c), pathProjectId);
    const type = (c.req.header('content-type') ?? 'application/json').toLowerCase();
    const records = otlpBodyToItems(await readDecoded(c), type);
    await acceptLogItems(c, who, records, receivedAt);
    const res = otlpResponse(type);
    return c.body(res.body as never, 200, { 'content-type': res.type });
  }
  app.post('/api/:projectId/integration/otlp/v1/logs', (c) => otlp(c, projectIdFromPath(c)));
  app.post('/api/:projectId/otlp/v1/logs', (c) => otlp(c, projectIdFromPath(c)));
  app.post('/v1/logs', (c) => otlp(c, null));

  // Our minimal JSON for curl and any language: POST /api/{project_id}/logs/ {"logs": [...]}.
  app.post('/api/:projectId/logs', async (c) => {
    const receivedAt = new Date();
    const who = await authenticate(requestAuth(c), projectIdFromPath(c));
    const records = minimalLogsToItems((await readDecoded(c)).toString('utf8'));
    await acceptLogItems(c, who, records, receivedAt);
    return c.json({ accepted: records.length });
  });

  app.post('/api/:projectId/store', (c) => store(c, projectIdFromPath(c)));
  app.post('/api/store', (c) => store(c, null));
  return app;
}
