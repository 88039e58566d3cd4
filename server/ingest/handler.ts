// The protocol edge (architecture step 1): authenticate, enforce size limits, undo the body encoding,
// turn every protocol into queue items, and answer only once they are durable. No grouping here.
//
// Routes (protocol doc §1.2), on the path app.ts's requestPath gives (trailing slash dropped, DSN path
// prefix removed):
//   POST /api/{project_id}/envelope/   every modern SDK
//   POST /api/{project_id}/store/      legacy single-event JSON (sentry-python 1.x, raven-*, old sentry-go)
//   POST /api/store/                   legacy, project from the key
//   POST /api/{project_id}/otlp/v1/logs/, /api/{project_id}/integration/otlp/v1/logs/, /v1/logs
//   POST /api/{project_id}/logs/       our minimal JSON logs
//   OPTIONS                            CORS preflight, no auth (§1.4)
//
// Written against plain request and response shapes, not a web framework's: the node:http server
// hands ingest requests here directly (node.ts), the hottest path of the server, and the hono app
// does for everything else and for tests through app.request() (routes.ts). Measured on the event
// bench: hono's request and response objects cost ~15% of the main thread's time per event.
import type { Config } from '../config.ts';
import type { QueueItem, QueueWriter } from '../pipeline/queue.ts';
import { authFromRequest, withEnvelopeDsn, type IngestAuth } from './auth.ts';
import { decodeBody } from './decode.ts';
import { parseEnvelope, type Envelope } from './envelope.ts';
import { IngestError } from './errors.ts';
import { logContainer, minimalLogsToItems, otelLogItem, otlpBodyToItems, otlpResponse } from './logs.ts';
import type { KeyCache, KeyInfo } from './keys.ts';
import { checkJsonObject } from './json-check.ts';
import { decodeStoreBody, normalizeEventId, parseEventJson } from './payload.ts';
import { KeyRateLimited } from './rate-limit.ts';

export interface IngestDeps {
  config: Pick<Config, 'limits' | 'trustProxy'>;
  queue: QueueWriter;
  keys: KeyCache;
  /** Counts what was accepted and dropped, by item type (for metrics and tests). */
  onItems?: (projectId: number, stored: number, dropped: Record<string, number>) => void;
}

export interface IngestRequest {
  /** The normalized path (app.ts, requestPath). */
  path: string;
  /** The query string without its `?` ('' for none). */
  query: string;
  /** A request header by its lower-case name. */
  header(name: string): string | undefined;
  /** The raw body; fails with 413 as soon as it passes `maxBytes`. */
  body(maxBytes: number): Promise<Buffer>;
  /** The peer's address (null when unknown, as in tests through app.request()). */
  remoteAddress: string | null;
}

export interface IngestResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
}

/** Handles one request of a matched route. */
export type IngestRoute = (req: IngestRequest) => Promise<IngestResponse>;

export const CORS_HEADERS: Readonly<Record<string, string>> = {
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

const json = (status: number, value: unknown, headers: Record<string, string> = {}): IngestResponse => ({
  status,
  headers: { ...CORS_HEADERS, ...headers, 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/** The answer to a request that failed: `{"detail"}` and X-Sentry-Error (protocol §4.2). */
export function failureResponse(err: unknown): IngestResponse {
  // A DSN key over its rate limit (rate-limit.ts, protocol §4.3).
  if (err instanceof KeyRateLimited) return json(429, { detail: err.message }, { ...err.headers, 'X-Sentry-Error': err.message });
  const e = err instanceof IngestError ? err : null;
  if (!e) console.error('ingest: unexpected error', err);
  const status = e?.status ?? 500;
  const detail = e?.message ?? 'internal error';
  const headers: Record<string, string> = { 'X-Sentry-Error': detail.replace(/[^\x20-\x7e]/g, '?') };
  if (status === 503) headers['Retry-After'] = '5';
  return json(status, { detail }, headers);
}

/** The CORS preflight answer. */
export const preflightResponse = (): IngestResponse => ({ status: 204, headers: { ...CORS_HEADERS }, body: null });

function projectIdOf(segment: string): number {
  let raw = segment;
  try {
    raw = decodeURIComponent(segment);
  } catch {
    // not percent-encoding: checked as it is
  }
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!(id >= 1 && id <= MAX_PROJECT_ID)) throw new IngestError('invalid_project_id', raw.slice(0, 40));
  return id;
}

export interface Ingest {
  /** The handler of a POST to `path`, or null if `path` is no ingest route. */
  match(path: string): IngestRoute | null;
}

export function createIngest(deps: IngestDeps): Ingest {
  const { limits } = deps.config;

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

  function requestAuth(req: IngestRequest): IngestAuth | null {
    return authFromRequest({ xSentryAuth: req.header('x-sentry-auth'), authorization: req.header('authorization'), query: new URLSearchParams(req.query) });
  }

  async function readDecoded(req: IngestRequest): Promise<Buffer> {
    const raw = await req.body(limits.maxBodyBytes);
    if (raw.length === 0) throw new IngestError('empty_body');
    const body = await decodeBody(raw, req.header('content-encoding'), limits.maxEnvelopeBytes);
    if (body.length === 0) throw new IngestError('empty_body');
    return body;
  }

  function clientIp(req: IngestRequest): string | null {
    if (deps.config.trustProxy) {
      const fwd = req.header('x-forwarded-for');
      if (fwd) return fwd.split(',')[0].trim().slice(0, 64) || null;
    }
    return req.remoteAddress;
  }

  const clientOf = (who: Authenticated, req: IngestRequest) => who.auth.client ?? req.header('user-agent')?.slice(0, 200) ?? null;

  function eventItem(payload: Buffer | string, who: Authenticated, req: IngestRequest, receivedAt: Date, headerEventId: string | null, sentAt: unknown) {
    if (payload.length > limits.maxEventBytes) throw new IngestError('item_too_large', `${payload.length} > ${limits.maxEventBytes} bytes`);
    // Checked without building the event when nothing here needs it (json-check.ts); parsed otherwise,
    // and whenever the check refuses it, for the reason (or the leniency parseEventJson allows).
    const checked = typeof payload !== 'string' && !deps.queue.wantsParsed ? checkJsonObject(payload) : null;
    let text: string;
    let event: Record<string, unknown> | undefined;
    let bodyEventId: unknown;
    let type: unknown;
    if (checked) {
      text = (payload as Buffer).toString('utf8');
      bodyEventId = checked.eventId;
      type = checked.type;
    } else {
      ({ event, text } = parseEventJson(typeof payload === 'string' ? payload : payload.toString('utf8')));
      bodyEventId = event.event_id;
      type = event.type;
    }
    let eventId = headerEventId;
    if (!eventId && bodyEventId !== undefined && bodyEventId !== null) {
      eventId = normalizeEventId(bodyEventId);
      if (!eventId) throw new IngestError('invalid_event_id', String(bodyEventId).slice(0, 64));
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
        clientIp: clientIp(req),
        client: clientOf(who, req),
      },
    };
    return { item, isTransaction: type === 'transaction' };
  }

  /** A log container as a queue item; logs have no event id, the meta's id only names the item. */
  function logItem(payload: string, who: Authenticated, req: IngestRequest, receivedAt: Date): QueueItem {
    return { projectId: who.projectId, kind: 'log', receivedAt, payload, meta: { eventId: crypto.randomUUID().replace(/-/g, ''), clientIp: clientIp(req), client: clientOf(who, req) } };
  }

  async function acceptEnvelope(req: IngestRequest, envelope: Envelope, auth: IngestAuth | null, pathProjectId: number | null, receivedAt: Date): Promise<IngestResponse> {
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
        items.push(eventItem(item.payload, who, req, receivedAt, headerEventId, envelope.header.sent_at).item);
      } else if (type === 'log') {
        if (item.payload.length > limits.maxLogItemBytes) throw new IngestError('item_too_large', `log item over ${limits.maxLogItemBytes} bytes`);
        items.push(logItem(logContainer(item.payload.toString('utf8')).payload, who, req, receivedAt));
      } else if (type === 'otel_log') {
        otelLogs.push(otelLogItem(item.payload.toString('utf8')));
      } else {
        // Transactions, sessions, client reports, attachments, replays...: accepted and dropped
        // without an error, so SDKs neither log failures nor record losses (protocol §3.3).
        const k = type.slice(0, 40);
        dropped[k] = (dropped[k] ?? 0) + 1;
      }
    }
    if (otelLogs.length > 0) items.push(logItem(JSON.stringify({ items: otelLogs }), who, req, receivedAt));
    // Key rate limits count error events (Sentry's `error` category), not log records.
    if (who.key.rateLimit && events > 0) await deps.keys.rateLimits.take(who.key, events);
    await deps.queue.enqueue(items);
    deps.onItems?.(who.projectId, items.length, dropped);
    const id = items.find((i) => i.kind === 'event')?.meta.eventId ?? headerEventId;
    return json(200, id ? { id } : {});
  }

  async function envelope(req: IngestRequest, projectId: number): Promise<IngestResponse> {
    const receivedAt = new Date();
    const auth = requestAuth(req);
    if (auth) await authenticate(auth, projectId); // fail fast before reading the body
    return acceptEnvelope(req, parseEnvelope(await readDecoded(req)), auth, projectId, receivedAt);
  }

  async function store(req: IngestRequest, pathProjectId: number | null): Promise<IngestResponse> {
    const receivedAt = new Date();
    const auth = requestAuth(req);
    const body = await readDecoded(req);
    // Relay reads a store body sent as an envelope as one (protocol §2.2 step 4).
    if ((req.header('content-type') ?? '').toLowerCase().startsWith('application/x-sentry-envelope')) {
      return acceptEnvelope(req, parseEnvelope(body), auth, pathProjectId, receivedAt);
    }
    const who = await authenticate(auth, pathProjectId);
    const text = await decodeStoreBody(body, limits.maxEnvelopeBytes);
    const { item, isTransaction } = eventItem(text, who, req, receivedAt, null, null);
    // A transaction sent to /store/ is accepted and dropped like one in an envelope (protocol §2.2 step 6).
    if (isTransaction) {
      deps.onItems?.(who.projectId, 0, { transaction: 1 });
      return json(200, { id: item.meta.eventId });
    }
    if (who.key.rateLimit) await deps.keys.rateLimits.take(who.key, 1);
    await deps.queue.enqueue([item]);
    deps.onItems?.(who.projectId, 1, {});
    return json(200, { id: item.meta.eventId });
  }

  async function acceptLogItems(req: IngestRequest, who: Authenticated, records: Array<Record<string, unknown>>, receivedAt: Date) {
    if (records.length > 0) await deps.queue.enqueue([logItem(JSON.stringify({ items: records }), who, req, receivedAt)]);
    deps.onItems?.(who.projectId, records.length > 0 ? 1 : 0, {});
  }

  // OTLP/HTTP logs (protocol doc §1.2): JSON or protobuf, the key in any header SDK exporters use
  // (x-sentry-auth, Authorization: Basic or Sentry), the query string, or a path with the project id.
  async function otlp(req: IngestRequest, pathProjectId: number | null): Promise<IngestResponse> {
    const receivedAt = new Date();
    const who = await authenticate(requestAuth(req), pathProjectId);
    const type = (req.header('content-type') ?? 'application/json').toLowerCase();
    const records = otlpBodyToItems(await readDecoded(req), type);
    await acceptLogItems(req, who, records, receivedAt);
    const res = otlpResponse(type);
    return { status: 200, headers: { ...CORS_HEADERS, 'content-type': res.type }, body: res.body };
  }

  // Our minimal JSON for curl and any language: POST /api/{project_id}/logs/ {"logs": [...]}.
  async function minimalLogs(req: IngestRequest, projectId: number): Promise<IngestResponse> {
    const receivedAt = new Date();
    const who = await authenticate(requestAuth(req), projectId);
    const records = minimalLogsToItems((await readDecoded(req)).toString('utf8'));
    await acceptLogItems(req, who, records, receivedAt);
    return json(200, { accepted: records.length });
  }

  /** Runs a route, turning every failure into its answer. */
  const guarded =
    (run: (req: IngestRequest) => Promise<IngestResponse>): IngestRoute =>
    (req) =>
      run(req).catch(failureResponse);

  // The project id is checked inside the guard, so a bad one gets the same 400 as any failure.
  const withProject = (run: (req: IngestRequest, projectId: number) => Promise<IngestResponse>, raw: string) => guarded((req) => Promise.resolve().then(() => run(req, projectIdOf(raw))));
  const ROUTES: Array<[RegExp, (m: RegExpExecArray) => IngestRoute]> = [
    [/^\/api\/([^/]+)\/envelope$/, (m) => withProject(envelope, m[1])],
    [/^\/api\/([^/]+)\/store$/, (m) => withProject(store, m[1])],
    [/^\/api\/store$/, () => guarded((req) => store(req, null))],
    [/^\/api\/([^/]+)\/(?:integration\/)?otlp\/v1\/logs$/, (m) => withProject(otlp, m[1])],
    [/^\/v1\/logs$/, () => guarded((req) => otlp(req, null))],
    [/^\/api\/([^/]+)\/logs$/, (m) => withProject(minimalLogs, m[1])],
  ];

  return {
    match(path) {
      for (const [re, route] of ROUTES) {
        const m = re.exec(path);
        if (m) return route(m);
      }
      return null;
    },
  };
}
