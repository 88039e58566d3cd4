// Logs end to end through the real app: Sentry SDK `log` items, OpenTelemetry (the real OTel JS logs
// SDK with its OTLP HTTP exporters, JSON and protobuf), our minimal JSON; stored, grouped into
// patterns with counts, searchable, histogram, live tail, retention; bad input is a clear 4xx.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as OtlpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OtlpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestBatch } from '../../server/pipeline/digest.ts';
import { listLogs, type LogListQuery } from '../../server/queries/logs.ts';
import { parseLogSearch } from '../../server/search/logs.ts';
import { applyLogRetention, ensureLogPartitions, listPartitions } from '../../server/logs/partitions.ts';
import { parseEnvelope, serializeEnvelope } from '../../server/ingest/envelope.ts';
import { loadFixture } from '../helpers/fixtures.ts';
import { FIXTURE_KEY, startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

interface Log {
  id: string;
  body: string;
  level: string;
  patternId: string;
  traceId: string | null;
  service: string | null;
  attributes: Record<string, unknown>;
  project: { slug: string };
}
interface Pattern {
  id: string;
  pattern: string;
  count: number;
  levels: Record<string, number>;
  sample: string;
}

const logs = async (query = '', extra = '') => (await s.api<Log[]>(`/organizations/faultline/logs/?query=${encodeURIComponent(query)}${extra}`)).body;
const patterns = async (query = '', extra = '') => (await s.api<Pattern[]>(`/organizations/faultline/log-patterns/?query=${encodeURIComponent(query)}${extra}`)).body;

/** A start/end range around the records of recorded fixtures (their timestamps are the recording's, not today's). */
function rangeAround(...fixtures: string[]): string {
  const times = fixtures.flatMap((name) =>
    parseEnvelope(loadFixture(name).body)
      .items.filter((i) => i.header.type === 'log')
      .flatMap((i) => (JSON.parse(i.payload.toString()) as { items: Array<{ timestamp: number }> }).items.map((r) => r.timestamp * 1000)),
  );
  const day = 86_400_000;
  return `&start=${new Date(Math.min(...times) - day).toISOString()}&end=${new Date(Math.max(...times) + day).toISOString()}`;
}

async function postLogs(body: unknown) {
  return s.req(`/api/1/logs/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: JSON.stringify(body) });
}

async function otel(exporter: OtlpJsonExporter | OtlpProtoExporter, service: string, lines: Array<{ body: string; severity: SeverityNumber; attrs?: Record<string, string | number> }>) {
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('checkout-module');
  for (const l of lines) logger.emit({ severityNumber: l.severity, severityText: SeverityNumber[l.severity], body: l.body, attributes: l.attrs });
  await provider.forceFlush();
  await provider.shutdown();
}

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

describe('ingest from every source', () => {
  it('stores Sentry SDK log items (@sentry/node and @sentry/browser) and groups fmt templates', async () => {
    expect((await s.replay(loadFixture('node/logs-log.json'))).status).toBe(200);
    expect((await s.replay(loadFixture('browser/logs-log.json'))).status).toBe(200);
    await s.drain();
    const range = rangeAround('node/logs-log.json', 'browser/logs-log.json');
    const all = await logs('', range);
    expect(all.length).toBeGreaterThanOrEqual(4);
    const fmt = all.find((l) => /User \d+ logged in/.test(l.body))!;
    expect(fmt).toBeDefined();
    const templ = (await patterns('', range)).find((p) => p.id === fmt.patternId)!;
    expect(templ.pattern).toMatch(/User %s logged in|User \{\} logged in|User .* logged in/);
  });

  it('takes OTLP JSON and protobuf from the real OpenTelemetry JS SDK', async () => {
    const base = await s.listen();
    const headers = { 'x-sentry-auth': `sentry sentry_key=${FIXTURE_KEY}` };
    const json = new OtlpJsonExporter({ url: `${base}/api/1/integration/otlp/v1/logs`, headers });
    await otel(json, 'checkout', [
      { body: 'Charged card ending 4242 for order 1001', severity: SeverityNumber.INFO, attrs: { 'order.id': 1001 } },
      { body: 'Charged card ending 1111 for order 1002', severity: SeverityNumber.INFO, attrs: { 'order.id': 1002 } },
    ]);
    const proto = new OtlpProtoExporter({ url: `${base}/v1/logs`, headers });
    await otel(proto, 'inventory', [
      { body: 'Stock for sku A-1 below threshold 5', severity: SeverityNumber.WARN, attrs: { sku: 'A-1' } },
      { body: 'Stock for sku B-22 below threshold 12', severity: SeverityNumber.WARN, attrs: { sku: 'B-22' } },
    ]);
    await s.drain();
    const charged = await logs('Charged card');
    expect(charged).toHaveLength(2);
    expect(charged[0]).toMatchObject({ level: 'info', service: 'checkout' });
    expect(charged[0].attributes['order.id']).toBeGreaterThan(1000);
    expect(new Set(charged.map((l) => l.patternId)).size).toBe(1);
    const stock = await logs('service:inventory');
    expect(stock.map((l) => l.level)).toEqual(['warn', 'warn']);
    expect(new Set(stock.map((l) => l.patternId)).size).toBe(1);
  });

  it('takes the minimal JSON form from curl, with trace ids', async () => {
    const res = await postLogs({
      logs: [
        { level: 'error', body: 'Payment 12 failed for user 7', trace_id: TRACE, attributes: { region: 'eu-west-1' } },
        { level: 'error', body: 'Payment 99 failed for user 8', trace_id: TRACE, attributes: { region: 'us-east-1' } },
        { level: 'debug', message: 'cache miss for key session:abc' },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 3 });
    await s.drain();
    const byTrace = await logs(`trace:${TRACE}`);
    expect(byTrace).toHaveLength(2);
    expect(byTrace[0].patternId).toBe(byTrace[1].patternId);
  });

  it('takes otel_log envelope items', async () => {
    const item = { severity_text: 'error', severity_number: 17, body: { string_value: 'Queue worker crashed with code 137' }, attributes: [{ key: 'queue', value: { string_value: 'emails' } }] };
    const env = serializeEnvelope({}, [{ header: { type: 'otel_log' }, payload: JSON.stringify(item) }]);
    const res = await s.req(`/api/1/envelope/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: new Uint8Array(env) });
    expect(res.status).toBe(200);
    await s.drain();
    const [l] = await logs('queue:emails');
    expect(l).toMatchObject({ level: 'error', body: 'Queue worker crashed with code 137' });
  });
});

describe('bad input', () => {
  it('answers 4xx with a detail and stores nothing', async () => {
    const before = await s.queueLength();
    const bad: Array<[string, RequestInit, number]> = [
      [`/api/1/logs/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: '{"logs": [' }, 400],
      [`/api/1/logs/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: '{"logs": [1, 2]}' }, 400],
      [`/api/1/integration/otlp/v1/logs?sentry_key=${FIXTURE_KEY}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0xff, 0xff, 0xff, 0x01]) }, 400],
      [`/api/1/integration/otlp/v1/logs?sentry_key=${FIXTURE_KEY}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs": 7}' }, 400],
      [`/api/1/integration/otlp/v1/logs`, { method: 'POST', body: '{}' }, 401],
      [`/api/1/envelope/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: new Uint8Array(serializeEnvelope({}, [{ header: { type: 'log' }, payload: '{"items": 3}' }])) }, 400],
    ];
    for (const [url, init, status] of bad) {
      const res = await s.req(url, init);
      expect(res.status, url).toBe(status);
      expect((await res.json()).detail).toBeTruthy();
    }
    expect(await s.queueLength()).toBe(before);
  });
});

describe('patterns and search', () => {
  it('groups lines that differ in their variable parts into one pattern, with counts and levels', async () => {
    const lines = [];
    for (let i = 0; i < 20; i++) lines.push({ level: i % 5 === 0 ? 'warn' : 'info', body: `Request GET /api/orders/${1000 + i} completed in ${10 + i}ms with status 200` });
    await postLogs({ logs: lines });
    await s.drain();
    const p = (await patterns('completed in')).find((x) => x.sample.startsWith('Request GET'))!;
    expect(p.count).toBe(20);
    expect(p.levels).toEqual({ info: 16, warn: 4 });
    expect(p.pattern).toContain('<*>');
    const byPattern = await logs(`pattern:${p.id}`);
    expect(byPattern).toHaveLength(20);
  });

  it('searches by level, attribute, negation and pages with cursors', async () => {
    const errors = await logs('level:error');
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.every((l) => l.level === 'error')).toBe(true);
    expect((await logs('region:eu-west-1')).map((l) => l.body)).toEqual(['Payment 12 failed for user 7']);
    expect((await logs('level:error !region:eu-west-1')).some((l) => l.body === 'Payment 12 failed for user 7')).toBe(false);
    const page1 = await s.api<Log[]>('/organizations/faultline/logs/?limit=5');
    const next = /<([^>]+)>; rel="next"; results="true"/.exec(page1.headers.get('link')!)![1].replace('http://faultline.test/api/0', '');
    const page2 = await s.api<Log[]>(next);
    expect(page2.body).toHaveLength(5);
    expect(page2.body.map((l) => l.id).some((id) => page1.body.some((x) => x.id === id))).toBe(false);
    expect((await s.api(`/organizations/faultline/logs/?query=${encodeURIComponent('level:loud')}`)).status).toBe(400);
    expect((await s.api(`/organizations/faultline/logs/?query=${encodeURIComponent("'; DROP TABLE log_records; --")}`)).status).toBe(200);
  });

  it('gives a histogram by level', async () => {
    const res = await s.api<Array<{ time: number; counts: Record<string, number> }>>('/organizations/faultline/logs/histogram/?statsPeriod=1h&interval=5m');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(12);
    expect(res.body.length).toBeLessThanOrEqual(14); // the hour, aligned to 5 minutes, plus a minute ahead
    const total = res.body.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
    expect(total).toBe((await logs('', '&limit=1000&statsPeriod=1h')).length);
    const filtered = await s.api<Array<{ counts: Record<string, number> }>>('/organizations/faultline/logs/histogram/?statsPeriod=1h&interval=5m&query=level:warn');
    expect(filtered.body.every((b) => Object.keys(b.counts).every((k) => k === 'warn'))).toBe(true);
    // A day unfiltered: hourly buckets from the pattern stats, the same total as the records.
    const day = await s.api<Array<{ time: number; counts: Record<string, number> }>>('/organizations/faultline/logs/histogram/?statsPeriod=24h');
    expect(day.body.length).toBeGreaterThanOrEqual(24);
    expect(day.body.length).toBeLessThanOrEqual(26);
    expect(day.body[1].time - day.body[0].time).toBe(3600);
    const dayTotal = day.body.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
    expect(dayTotal).toBe((await logs('', '&limit=1000&statsPeriod=24h')).length);
  });

  it('streams new records to a live tail, narrowed by the query', async () => {
    const base = await s.listen();
    const ac = new AbortController();
    const res = await fetch(`${base}/api/0/organizations/faultline/logs/tail/?query=${encodeURIComponent('tail-probe')}`, { headers: { authorization: 'Bearer flt_test_token_0123456789abcdef0123456789abcdef' }, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const read = async (until: RegExp) => {
      while (!until.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read(/event: ready/);
    await postLogs({ logs: [{ level: 'info', body: 'unrelated line' }, { level: 'info', body: 'tail-probe arrived' }] });
    await s.drain();
    await read(/tail-probe arrived/);
    expect(text).not.toContain('unrelated line');
    ac.abort();
  });
});

describe('search over many records', () => {
  it('finds typed attribute values and pages the same whichever way a filtered page is read', async () => {
    const base = Date.now() - 600_000;
    const res = await postLogs({
      logs: Array.from({ length: 60 }, (_, i) => ({
        level: i % 5 === 0 ? 'warn' : 'info',
        timestamp: (base + i * 1000) / 1000,
        body: i % 7 === 0 ? `probe sevenfold line ${i}` : `probe ordinary line ${i}`,
        attributes: { 'probe.n': i, 'probe.even': i % 2 === 0, 'probe.kind': i % 7 === 0 ? 'seven' : 'other', 'probe.big': '12345678901234567890', ...(i % 10 === 0 ? { 'sentry.probe': 'yes' } : {}) },
      })),
    });
    expect(res.status).toBe(200);
    await s.drain();
    // Typed values match their text: integers, booleans, and numbers past double precision.
    expect((await logs('probe.n:42')).map((l) => l.body)).toEqual(['probe sevenfold line 42']);
    expect(await logs('probe.even:true')).toHaveLength(30);
    expect(await logs('probe.big:12345678901234567890')).toHaveLength(60);
    expect(await logs('probe.n:42.0')).toHaveLength(0);
    // The SDKs' own sentry.* attributes are outside the attribute index, and still found.
    expect(await logs('sentry.probe:yes')).toHaveLength(6);

    const range = { start: new Date(base - 1000), end: new Date(base + 120_000) };
    const [project] = await s.tdb.db.query<{ id: number }>('SELECT id FROM projects ORDER BY id LIMIT 1');
    const read = async (query: string, probeRows: number) => {
      const pages: string[][] = [];
      let cursor: LogListQuery['cursor'] = null;
      for (;;) {
        const rows = await listLogs(s.tdb.db, { projectIds: [project.id], terms: parseLogSearch(query), range, limit: 4, cursor, probeRows });
        const more = rows.length > 4;
        const page = rows.slice(0, 4);
        pages.push(page.map((r) => r.body));
        if (!more) return pages;
        const last = page.at(-1)!;
        cursor = { value: last.timestamp.getTime(), id: last.id, prev: false };
      }
    };
    for (const query of ['sevenfold', 'probe.kind:seven', 'level:warn probe', 'probe.n:13']) {
      const whole = await read(query, 100_000);
      expect(whole.flat().length).toBeGreaterThan(0);
      // A probe window smaller than a page, and one that ends between matches, give the same pages.
      expect(await read(query, 3)).toEqual(whole);
      expect(await read(query, 10)).toEqual(whole);
    }
    expect((await read('sevenfold', 3)).flat()).toEqual([56, 49, 42, 35, 28, 21, 14, 7, 0].map((i) => `probe sevenfold line ${i}`));
  });
});

describe('digest batches', () => {
  it('takes log containers up to a byte budget per batch and leaves the rest queued, losing none', async () => {
    await s.drain();
    for (let i = 0; i < 3; i++) expect((await postLogs({ logs: [{ level: 'info', body: `budget line ${i}` }, { level: 'info', body: `budget line ${i}b` }] })).status).toBe(200);
    const event = await s.req(`/api/1/store/?sentry_key=${FIXTURE_KEY}`, { method: 'POST', body: JSON.stringify({ message: 'budget event' }) });
    expect(event.status).toBe(200);
    expect(await s.queueLength()).toBe(4);
    // A one-byte budget: the first container fills it, so a batch takes exactly one row.
    const first = await s.tdb.db.begin((tx) => digestBatch(tx, 100, { logBatchBytes: 1 }));
    expect(first).toMatchObject({ claimed: 1, stored: 2 });
    expect(await s.queueLength()).toBe(3);
    const rest = [];
    for (;;) {
      const r = await s.tdb.db.begin((tx) => digestBatch(tx, 100, { logBatchBytes: 1 }));
      if (r.claimed === 0) break;
      rest.push(r);
    }
    expect(rest.map((r) => r.claimed)).toEqual([1, 1, 1]); // the other two containers, then the event after them
    expect(await s.queueLength()).toBe(0);
    expect((await logs('"budget line"')).map((l) => l.body).sort()).toEqual(['budget line 0', 'budget line 0b', 'budget line 1', 'budget line 1b', 'budget line 2', 'budget line 2b']);
  });
});

describe('retention', () => {
  it('drops whole daily partitions past every project retention', async () => {
    const now = Date.now();
    await ensureLogPartitions(s.tdb.db, now - 40 * 86_400_000, 0, 0);
    const old = (await listPartitions(s.tdb.db)).filter((p) => p.day !== null && p.day < now - 35 * 86_400_000);
    expect(old.length).toBe(1);
    const r = await applyLogRetention(s.tdb.db, now);
    expect(r.dropped).toEqual([old[0].name]);
    expect((await listPartitions(s.tdb.db)).some((p) => p.name === old[0].name)).toBe(false);
  });
});
