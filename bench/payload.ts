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
