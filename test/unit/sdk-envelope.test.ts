// Envelope bytes of our SDK next to what @sentry/node 11 sent for the same code (the recorded
// fixtures in test/fixtures/sdk/node/): same framing (a JSON line per header and payload, no item
// lengths, no trailing newline), same envelope headers, and events, logs and client reports of the
// same shape, so any server that takes @sentry/node's takes ours.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Faultline from '../../sdk/src/node/index.ts';
import { SDK_VERSION } from '../../sdk/src/util.ts';
import { parseEnvelope, recordingTransport } from '../../sdk/test/helpers.ts';
import { FIXTURE_KEY, loadFixture } from '../helpers/fixtures.ts';

const DSN = `http://${FIXTURE_KEY}@127.0.0.1:9477/1`;

function fixture(name: string) {
  const f = loadFixture(`node/${name}.json`);
  return { text: f.body.toString('utf8'), ...parseEnvelope(f.body) };
}

// The fixture driver's application code (test/fixtures/record/node.mjs), same names and shape.
class PaymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentError';
  }
}
function chargeCard(orderId: number, amount: number) {
  if (amount > 0) throw new PaymentError(`Card declined for order ${orderId}`);
  return true;
}
function processPayment(orderId: number) {
  return chargeCard(orderId, 49.99);
}
function checkout(orderId: number) {
  Faultline.addBreadcrumb({ category: 'cart', message: `Loaded cart for order ${orderId}`, level: 'info' });
  Faultline.addBreadcrumb({ category: 'payment', message: 'Submitting payment', level: 'info', data: { provider: 'acme' } });
  return processPayment(orderId);
}

let rec: ReturnType<typeof recordingTransport>;
function start(extra: Partial<Faultline.Options> = {}) {
  rec = recordingTransport();
  Faultline.init({ dsn: DSN, release: 'faultline-fixtures@1.0.0', environment: 'test', serverName: 'fixture-host', defaultIntegrations: false, transport: rec.makeRequest, ...extra });
  Faultline.setUser({ id: '42', email: 'jane@example.com' });
  Faultline.setTag('feature', 'checkout');
  Faultline.setTag('region', 'eu-west');
  Faultline.setExtra('cart', { items: 3, currency: 'EUR' });
}
beforeEach(() => Faultline.getCurrentScope().clear());
afterEach(() => Faultline.close());

const keys = (o: object) => Object.keys(o).sort();

describe('error event envelope', () => {
  it('is framed like @sentry/node\'s: three JSON lines, no lengths, no trailing newline', async () => {
    start();
    Faultline.setExtra('orderId', 1001);
    try {
      checkout(1001);
    } catch (err) {
      Faultline.captureException(err);
    }
    await Faultline.flush(2000);
    const body = rec.requests[0].body;
    const theirs = fixture('exception');
    for (const text of [body, theirs.text]) {
      const lines = text.split('\n');
      expect(lines).toHaveLength(3);
      expect(text.endsWith('\n')).toBe(false);
      expect(lines[1]).toBe('{"type":"event"}');
    }
    const ours = parseEnvelope(body);
    expect(keys(ours.header)).toEqual(keys(theirs.header));
    expect(keys(ours.header.trace)).toEqual(keys(theirs.header.trace));
    expect(ours.header.sdk).toEqual({ name: 'faultline.javascript.node', version: SDK_VERSION });
    expect(ours.header.sent_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(ours.header.trace).toMatchObject({ environment: 'test', release: 'faultline-fixtures@1.0.0', public_key: FIXTURE_KEY });

    const a = ours.items[0].payload;
    const b = theirs.items[0].payload;
    expect(a.event_id).toBe(ours.header.event_id);
    expect(a.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(a.contexts.trace.trace_id).toBe(ours.header.trace.trace_id);
    // Everything we send, @sentry/node sends too; it also sends `modules` (package.json deps).
    expect(keys(a).filter((k) => !(k in b))).toEqual([]);
    expect(keys(b).filter((k) => !(k in a))).toEqual(['modules']);
    for (const k of ['level', 'platform', 'environment', 'release', 'server_name', 'tags', 'user', 'extra'] as const) expect(a[k], k).toEqual(b[k]);
    expect(typeof a.timestamp).toBe('number');
    expect(a.breadcrumbs.map((c: object) => keys(c))).toEqual(b.breadcrumbs.map((c: object) => keys(c)));
    expect(a.breadcrumbs.map((c: { message: string }) => c.message)).toEqual(b.breadcrumbs.map((c: { message: string }) => c.message));
    expect(keys(a.contexts).filter((k) => !(k in b.contexts))).toEqual([]);
    expect(a.contexts.runtime).toEqual({ name: 'node', version: process.version });

    const [ea] = a.exception.values;
    const [eb] = b.exception.values;
    expect([ea.type, ea.value, ea.mechanism]).toEqual([eb.type, eb.value, eb.mechanism]);
    const appA = ea.stacktrace.frames.filter((f: { in_app: boolean }) => f.in_app);
    const appB = eb.stacktrace.frames.filter((f: { in_app: boolean }) => f.in_app);
    expect(appA.slice(-3).map((f: { function: string }) => f.function)).toEqual(appB.slice(-3).map((f: { function: string }) => f.function));
    expect(appA.at(-1).context_line).toContain('throw new PaymentError');
    expect(appA.at(-1).pre_context).toHaveLength(5);
    expect(keys(appA.at(-1))).toEqual(keys(appB.at(-1)));
  });

  it('carries a cause chain with the mechanisms @sentry/node gives it', async () => {
    start();
    try {
      try {
        checkout(1001);
      } catch (inner) {
        throw new Error('Checkout failed for order 1001', { cause: inner });
      }
    } catch (err) {
      Faultline.captureException(err);
    }
    await Faultline.flush(2000);
    const a = parseEnvelope(rec.requests[0].body).items[0].payload.exception.values;
    const b = fixture('chained').items[0].payload.exception.values;
    const shape = (v: { type: string; value: string; mechanism: object }[]) => v.map((e) => [e.type, e.value, e.mechanism]);
    expect(shape(a)).toEqual(shape(b));
  });

  it('sends messages as @sentry/node does: a synthetic exception from the call site, plus message or logentry', async () => {
    start();
    Faultline.captureMessage(`Payment ${991} declined`);
    Faultline.captureMessage(Faultline.logger.fmt`Payment ${991} declined`);
    await Faultline.flush(2000);
    const [plain, param] = rec.requests.map((r) => parseEnvelope(r.body).items[0].payload);
    const theirs = fixture('message').items[0].payload;
    const theirsParam = fixture('message-parameterized').items[0].payload;
    expect(keys(plain).filter((k) => !(k in theirs))).toEqual([]);
    expect(plain.message).toBe(theirs.message);
    expect(plain.level).toBe('info');
    expect(keys(plain.exception.values[0])).toEqual(keys(theirs.exception.values[0]));
    expect(plain.exception.values[0].mechanism).toEqual(theirs.exception.values[0].mechanism);
    // The stack starts at the caller: no SDK frame on top.
    expect(plain.exception.values[0].stacktrace.frames.at(-1).filename).toBe(import.meta.filename);
    expect(param.logentry).toEqual(theirsParam.logentry);
    expect(param.message).toBeUndefined();
  });
});

describe('log envelope', () => {
  it('matches @sentry/node\'s `log` item attribute for attribute (test/fixtures/sdk/node/logs-log.json)', async () => {
    start();
    const id = 42;
    Faultline.logger.info('Cache warmed', { entries: 128, region: 'eu-west' });
    Faultline.logger.info(Faultline.logger.fmt`User ${id} logged in`);
    Faultline.logger.warn(Faultline.logger.fmt`Slow query took ${1.5} seconds`, { table: 'orders' });
    Faultline.logger.error('Payment provider unreachable', { provider: 'acme', attempt: 3 });
    expect(rec.requests).toHaveLength(0); // buffered
    await Faultline.flush(2000);
    const body = rec.requests[0].body;
    const theirs = fixture('logs-log');
    expect(body.split('\n')).toHaveLength(3);
    expect(body.endsWith('\n')).toBe(false);
    const ours = parseEnvelope(body);
    expect(ours.header).toEqual({ sdk: { name: 'faultline.javascript.node', version: SDK_VERSION } });
    expect(keys(ours.header)).toEqual(keys(theirs.header));
    expect(ours.items[0].header).toEqual(theirs.items[0].header);
    expect(JSON.stringify(ours.items[0].header)).toBe(theirs.text.split('\n')[1]);
    const a = ours.items[0].payload;
    const b = theirs.items[0].payload;
    expect(keys(a)).toEqual(keys(b));
    expect(a.version).toBe(b.version);
    expect(a.items).toHaveLength(b.items.length);
    const ignore = new Set(['sentry.sdk.name', 'sentry.sdk.version', 'sentry.timestamp.sequence']);
    a.items.forEach((la: any, i: number) => {
      const lb = b.items[i];
      expect(keys(la)).toEqual(keys(lb));
      for (const k of ['level', 'body', 'severity_number']) expect(la[k], k).toEqual(lb[k]);
      expect(la.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(typeof la.timestamp).toBe('number');
      expect(keys(la.attributes)).toEqual(keys(lb.attributes));
      for (const [name, attr] of Object.entries<any>(lb.attributes)) {
        if (ignore.has(name)) expect(la.attributes[name].type, name).toBe(attr.type);
        else expect(la.attributes[name], name).toEqual(attr);
      }
    });
  });
});

describe('client report envelope', () => {
  it('reports a sample-rate drop as @sentry/node does', async () => {
    start({ sampleRate: 0 });
    Faultline.captureMessage('Dropped by sample rate');
    await Faultline.flush(2000);
    expect(rec.requests).toHaveLength(1);
    const ours = parseEnvelope(rec.requests[0].body);
    const theirs = fixture('sample-rate-drop-client-report');
    expect(ours.header).toEqual(theirs.header);
    expect(ours.items[0].header).toEqual(theirs.items[0].header);
    expect(ours.items[0].payload.discarded_events).toEqual(theirs.items[0].payload.discarded_events);
    expect(typeof ours.items[0].payload.timestamp).toBe('number');
  });
});
