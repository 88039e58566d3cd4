// The benchmark's event: a real @sentry/node error envelope (recorded in test/fixtures/sdk/node/),
// grown to a typical production size: ~15 frames (in-app and node_modules), tags, breadcrumbs,
// user, contexts; about 4.5 KB. Every request gets a unique event id, and one of `distinctIssues`
// exception types, so the load makes a few hundred issues as real traffic does.
import { loadFixture } from '../test/helpers/fixtures.ts';
import { parseEnvelope } from '../server/ingest/envelope.ts';

export interface PayloadFactory {
  /** Bytes of one body (they all have the same length). */
  size: number;
  body(seq: number): string;
  /** The body as literal text and the fixed-width fields that change per request, in order. */
  parts: Array<string | { field: 'id' | 'type' }>;
  fields(seq: number): { id: string; type: string };
}

export function benchEvent(): Record<string, any> {
  const fixture = loadFixture('node/exception.json');
  const env = parseEnvelope(fixture.body);
  const event = JSON.parse(env.items.find((i) => i.header.type === 'event')!.payload.toString());
  const appFrames = event.exception.values[0].stacktrace.frames.slice(-4).map((f: any) => ({
    ...f,
    pre_context: f.pre_context?.slice(-1),
    post_context: f.post_context?.slice(0, 1),
  }));
  const libFrames = [
    ['node:internal/process/task_queues', 'processTicksAndRejections', 95],
    ['node:internal/timers', 'listOnTimeout', 581],
    ['/srv/app/node_modules/express/lib/router/index.js', 'next', 280],
    ['/srv/app/node_modules/express/lib/router/route.js', 'dispatch', 119],
    ['/srv/app/node_modules/express/lib/router/layer.js', 'handle', 95],
    ['/srv/app/node_modules/express/lib/router/index.js', 'process_params', 346],
    ['/srv/app/node_modules/body-parser/lib/types/json.js', 'jsonParser', 101],
    ['/srv/app/node_modules/express/lib/router/layer.js', 'handle_request', 95],
    ['/srv/app/node_modules/express/lib/router/route.js', 'next', 149],
    ['/srv/app/node_modules/express/lib/router/index.js', 'handle', 175],
    ['/srv/app/node_modules/express-async-errors/index.js', 'newFn', 16],
  ].map(([file, fn, line]) => ({ filename: file, module: String(file).split('/').pop()!.replace(/\.js$/, ''), function: fn, lineno: line, colno: 12, in_app: false }));
  event.exception.values[0].stacktrace.frames = [...libFrames, ...appFrames];
  event.tags = { region: 'eu-west-1', feature: 'checkout', tier: 'gold', 'http.method': 'POST' };
  event.user = { id: '4711', email: 'jane@example.com', ip_address: '203.0.113.9' };
  event.breadcrumbs = Array.from({ length: 4 }, (_, i) => ({
    timestamp: 1_795_000_000 + i,
    category: i % 2 ? 'http' : 'console',
    level: 'info',
    message: i % 2 ? `POST https://payments.example.com/v1/charges [${200 + i}]` : `cart step ${i} ok`,
  }));
  delete event.extra;
  delete event.modules;
  return event;
}

export function payloadFactory(distinctIssues: number): PayloadFactory {
  const event = benchEvent();
  event.event_id = '__EVENT_ID_________________XXXXX'; // 32 chars
  event.exception.values[0].type = '__TYPE__';
  const payload = JSON.stringify(event);
  const header = JSON.stringify({ event_id: '__EVENT_ID_________________XXXXX', sent_at: new Date().toISOString(), sdk: { name: event.sdk.name, version: event.sdk.version } });
  const text = `${header}\n{"type":"event"}\n${payload}`;
  const parts = text
    .split(/(__EVENT_ID_________________XXXXX|__TYPE__)/)
    .map((p) => (p === '__TYPE__' ? { field: 'type' as const } : p === '__EVENT_ID_________________XXXXX' ? { field: 'id' as const } : p));
  const prefix = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  const fields = (seq: number) => ({
    id: prefix + seq.toString(16).padStart(24, '0'),
    type: `CheckoutError${String(seq % distinctIssues).padStart(4, '0')}`,
  });
  const body = (seq: number) => {
    const f = fields(seq);
    return parts.map((p) => (typeof p === 'string' ? p : f[p.field])).join('');
  };
  return { size: Buffer.byteLength(body(0)), body, parts, fields };
}

/**
 * The log benchmark's request: one Sentry envelope `log` item with `records` records, the way the SDKs
 * batch them (up to 100 per envelope), shaped like the recorded @sentry/node `logs` fixture. The
 * records come from ~40 message shapes of a web service: half sent with `sentry.message.template`
 * (Sentry.logger.fmt), half as plain text with ids, numbers, paths and addresses in them, so the
 * digest both looks up templates and mines patterns. The fixed-width fields per request are the
 * trace id (`id`) and an 8-digit request number (`type`) inside some bodies.
 */
export function logPayloadFactory(records: number): PayloadFactory {
  const fixture = loadFixture('node/logs-log.json');
  const env = parseEnvelope(fixture.body);
  const sample = JSON.parse(env.items.find((i) => i.header.type === 'log')!.payload.toString()).items[0];
  const base: Record<string, { value: unknown; type: string }> = {};
  for (const [k, v] of Object.entries(sample.attributes as Record<string, { value: unknown; type: string }>)) {
    if (k.startsWith('sentry.') || k === 'server.address') base[k] = v;
  }
  base['sentry.environment'] = { value: 'production', type: 'string' };
  base['sentry.release'] = { value: 'shop@2.14.0', type: 'string' };
  const templated: Array<[string, string, (i: number) => unknown[]]> = [
    ['info', 'User %s logged in', (i) => [1000 + i]],
    ['info', 'Order %s placed for %s items', (i) => [`ord_${7000 + i}`, (i % 9) + 1]],
    ['warn', 'Slow query on %s took %s ms', (i) => [['orders', 'users', 'carts'][i % 3], 200 + i * 7]],
    ['info', 'Cache %s warmed with %s entries', (i) => [['sessions', 'prices', 'catalog'][i % 3], 128 * (i + 1)]],
    ['error', 'Payment provider %s unreachable after %s attempts', (i) => [['acme', 'globex'][i % 2], (i % 4) + 1]],
    ['debug', 'Feature flag %s evaluated to %s', (i) => [`flag-${i % 12}`, i % 2 === 0]],
    ['info', 'Sent %s email to %s', (i) => [['welcome', 'receipt', 'reset'][i % 3], `user${i}@example.com`]],
    ['warn', 'Retrying job %s (attempt %s)', (i) => [`job-${i}`, (i % 3) + 1]],
    ['info', 'Rendered %s in %s ms', (i) => [`/products/${i}`, 12 + i]],
    ['error', 'Webhook %s returned %s', (i) => [`https://hooks.example.com/${i}`, 500 + (i % 4)]],
  ];
  const plain: Array<[string, (i: number) => string]> = [
    ['info', (i) => `GET /api/v1/products/${i} 200 ${3 + i}ms`],
    ['info', (i) => `POST /api/v1/cart/${9000 + i}/items 201 ${14 + i}ms`],
    ['warn', (i) => `GET /api/v1/search?q=shoes&page=${i} 200 ${900 + i}ms slow`],
    ['info', (i) => `Connection from 10.0.${i % 250}.${(i * 7) % 250} accepted`],
    ['error', (i) => `Failed to read /var/data/uploads/${i}/avatar.png: ENOENT`],
    ['info', (i) => `session 6f1c${String(i).padStart(4, '0')}-2b7e-4d1a-9c3f-00${String(i).padStart(10, '0')} refreshed`],
    ['debug', (i) => `worker ${i % 8} picked batch of ${50 + i} messages`],
    ['info', (i) => `Scheduled task cleanup-expired-carts finished, removed ${i * 3} rows`],
    ['warn', (i) => `Rate limit 80% used by api key ak_${(0xabc000 + i).toString(16)}`],
    ['error', (i) => `Database connection lost: timeout after ${5000 + i} ms, reconnecting`],
  ];
  const severity: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
  const now = Date.now() / 1000;
  const items = Array.from({ length: records }, (_, i) => {
    const attributes: Record<string, { value: unknown; type: string }> = { ...base };
    let level: string;
    let body: string;
    if (i % 2 === 0) {
      const [lvl, template, params] = templated[(i / 2) % templated.length];
      const values = params(i);
      level = lvl;
      let k = 0;
      body = template.replace(/%s/g, () => String(values[k++]));
      attributes['sentry.message.template'] = { value: template, type: 'string' };
      values.forEach((v, j) => (attributes[`sentry.message.parameter.${j}`] = { value: v, type: typeof v === 'number' ? 'integer' : typeof v === 'boolean' ? 'boolean' : 'string' }));
    } else {
      const [lvl, make] = plain[((i - 1) / 2) % plain.length];
      level = lvl;
      body = make(i);
    }
    if (i % 10 === 0) body += ' req=__REQ___';
    attributes['http.route'] = { value: ['/products', '/cart', '/checkout', '/search'][i % 4], type: 'string' };
    attributes['sentry.timestamp.sequence'] = { value: i, type: 'integer' };
    return { timestamp: now + i / 1000, level, body, trace_id: '__TRACE_ID_________________XXXXX', severity_number: severity[level], attributes };
  });
  const payload = JSON.stringify({ version: 2, items });
  const header = JSON.stringify({ sdk: { name: 'sentry.javascript.node', version: '11.12.0' } });
  const text = `${header}\n${JSON.stringify({ type: 'log', item_count: records, content_type: 'application/vnd.sentry.items.log+json' })}\n${payload}`;
  const parts = text
    .split(/(__TRACE_ID_________________XXXXX|__REQ___)/)
    .map((p) => (p === '__REQ___' ? { field: 'type' as const } : p === '__TRACE_ID_________________XXXXX' ? { field: 'id' as const } : p));
  const prefix = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  const fields = (seq: number) => ({ id: prefix + seq.toString(16).padStart(24, '0'), type: String(seq % 1e8).padStart(8, '0') });
  const body = (seq: number) => {
    const f = fields(seq);
    return parts.map((p) => (typeof p === 'string' ? p : f[p.field])).join('');
  };
  return { size: Buffer.byteLength(body(0)), body, parts, fields };
}
