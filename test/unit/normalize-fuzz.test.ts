// Property tests: every byte of an event is attacker-controlled. Whatever JSON arrives,
// normalize + group + display must not throw, must stay bounded, and grouping must be
// deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEvent, type NormalizeContext } from '../../server/pipeline/normalize.ts';
import { groupEvent } from '../../server/pipeline/grouping/index.ts';
import { eventDisplay, eventTags, userKey } from '../../server/pipeline/eventtype.ts';

const ctx: NormalizeContext = {
  receivedAt: new Date('2024-05-01T12:00:00Z'),
  clientIp: '203.0.113.9',
  eventId: null,
  sdkFromAuth: { name: 'sentry.javascript.node', version: '8.0.0' },
};

function pipeline(raw: unknown) {
  const event = normalizeEvent(raw as Record<string, unknown>, ctx);
  const grouping = groupEvent(event);
  const display = eventDisplay(event);
  const tags = eventTags(event);
  const user = userKey(event);
  return { event, grouping, display, tags, user };
}

const size = (v: unknown) => JSON.stringify(v).length;

// --- arbitraries ---------------------------------------------------------------------------

const anyJson = fc.jsonValue({ maxDepth: 4 });
const interesting = fc.constantFrom(
  '', ' ', '?', '{{ default }}', '{{default}}', '{{ type }}', '{{ tags.a }}', '{{ message }}', '{{ bogus }}',
  'http://x.com/static/js/main.8f3a2b1c.js', 'webpack:///./src/a.js', 'app:///main.jsbundle', 'file:///a.js', '<anonymous>',
  '[native code]', 'eval', 'Object.foo', 'block (2 levels) in foo', 'lambda$x$0', '[Anonymous function]', '<unknown>',
  'int foo::bar<T>(int) const', '%s %d {0} {name} %(x)s %%', '2024-05-01T12:00:00Z', 'TypeError: x', 'a\u0000b', '\ud800',
  'Order 12345 for bob@x.io at 10.0.0.1', 'warn', 'critical', '{{auto}}', 'auto', 'javascript', 'node', 'python', 'java',
  'com.x.Foo$$EnhancerBySpringCGLIB$$abc123', 'sun.reflect.GeneratedMethodAccessor12', '__proto__', 'constructor',
);
const str = fc.oneof(fc.string(), interesting, fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
/** The expected type most of the time, anything at all sometimes. */
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: anyJson });
const num = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1714564800, 1e20));

const frame = fc.record({
  function: maybe(str), raw_function: maybe(str), module: maybe(str), filename: maybe(str), abs_path: maybe(str),
  package: maybe(str), lineno: maybe(num), colno: maybe(num), context_line: maybe(str), pre_context: maybe(fc.array(str, { maxLength: 8 })),
  in_app: maybe(fc.boolean()), platform: maybe(str), vars: anyJson, data: maybe(fc.record({ sourcemap: str }, { requiredKeys: [] })),
  instruction_addr: maybe(fc.oneof(str, num)),
}, { requiredKeys: [] });
const stacktrace = fc.record({ frames: maybe(fc.array(maybe(frame), { maxLength: 8 })), registers: anyJson }, { requiredKeys: [] });
const mechanism = fc.record({
  type: maybe(str), handled: maybe(fc.boolean()), synthetic: maybe(fc.boolean()), data: anyJson,
  meta: maybe(fc.record({ ns_error: maybe(fc.record({ domain: maybe(str), code: maybe(num) })) }, { requiredKeys: [] })),
  exception_id: maybe(num), parent_id: maybe(num),
}, { requiredKeys: [] });
const exception = fc.record({ type: maybe(str), value: maybe(str), module: maybe(str), mechanism: maybe(mechanism), stacktrace: maybe(stacktrace), thread_id: anyJson }, { requiredKeys: [] });
const thread = fc.record({ id: anyJson, crashed: maybe(fc.boolean()), current: maybe(fc.boolean()), name: maybe(str), stacktrace: maybe(stacktrace) }, { requiredKeys: [] });
const values = <T>(a: fc.Arbitrary<T>) => fc.oneof(fc.array(maybe(a), { maxLength: 4 }), fc.record({ values: maybe(fc.array(maybe(a), { maxLength: 4 })) }), a);

const eventLike = fc.record({
  event_id: maybe(str), timestamp: maybe(fc.oneof(num, str)), level: maybe(fc.oneof(str, num)), platform: maybe(str),
  logger: maybe(str), transaction: maybe(str), server_name: maybe(str), release: maybe(fc.oneof(str, num)), dist: maybe(str), environment: maybe(str),
  message: maybe(fc.oneof(str, fc.record({ message: maybe(str), params: anyJson, formatted: maybe(str) }, { requiredKeys: [] }))),
  logentry: maybe(fc.record({ message: maybe(str), params: maybe(fc.oneof(fc.array(anyJson), fc.dictionary(str, anyJson))), formatted: maybe(str) }, { requiredKeys: [] })),
  exception: maybe(values(exception)),
  'sentry.interfaces.Exception': maybe(values(exception)),
  threads: maybe(values(thread)),
  stacktrace: maybe(stacktrace),
  template: maybe(fc.record({ filename: maybe(str), context_line: maybe(str) }, { requiredKeys: [] })),
  breadcrumbs: maybe(values(fc.record({ timestamp: maybe(fc.oneof(num, str)), message: maybe(str), level: maybe(str), data: anyJson }, { requiredKeys: [] }))),
  tags: maybe(fc.oneof(fc.dictionary(str, anyJson), fc.array(fc.tuple(anyJson, anyJson), { maxLength: 6 }))),
  // Rare, so that most runs exercise the default grouping.
  fingerprint: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: maybe(fc.array(maybe(str), { maxLength: 5 })) }),
  user: maybe(fc.record({ id: anyJson, email: maybe(str), username: anyJson, ip_address: maybe(str), geo: anyJson, data: anyJson, extra_key: anyJson }, { requiredKeys: [] })),
  request: maybe(fc.record({ url: maybe(str), method: maybe(str), headers: maybe(fc.oneof(fc.dictionary(str, anyJson), fc.array(fc.tuple(str, anyJson)))), query_string: anyJson, cookies: anyJson, data: anyJson, env: anyJson }, { requiredKeys: [] })),
  contexts: maybe(fc.dictionary(str, anyJson)),
  extra: anyJson, sdk: anyJson, modules: anyJson, debug_meta: anyJson, errors: anyJson,
}, { requiredKeys: [] });

// --- properties ----------------------------------------------------------------------------

describe('normalize + group + display on arbitrary input', () => {
  it('never throws and stays bounded for any JSON object', () => {
    fc.assert(fc.property(fc.dictionary(fc.oneof(fc.string(), interesting), fc.jsonValue({ maxDepth: 6 })), (raw) => {
      const out = pipeline(raw);
      expect(size(out.event)).toBeLessThanOrEqual(16_384 + 4 * size(raw));
      expect(size(out.grouping)).toBeLessThanOrEqual(16_384 + 20 * size(raw));
    }), { numRuns: 300 });
  });

  it('never throws for non-object top-level values', () => {
    fc.assert(fc.property(fc.jsonValue(), (raw) => {
      pipeline(raw);
    }), { numRuns: 100 });
  });

  it('never throws on event-shaped input with wrong types anywhere, and stays bounded', () => {
    fc.assert(fc.property(eventLike, (raw) => {
      const out = pipeline(raw);
      const inSize = size(raw);
      expect(size(out.event)).toBeLessThanOrEqual(16_384 + 4 * inSize);
      expect(size(out.grouping)).toBeLessThanOrEqual(16_384 + 20 * inSize);
      expect(out.event.event_id).toMatch(/^[0-9a-f]{32}$/);
      expect(out.grouping.hash).toMatch(/^[0-9a-f]{32}$/);
      expect(out.grouping.hashes[0]).toBe(out.grouping.hash);
      expect(out.display.title.length).toBeGreaterThan(0);
      expect(out.display.culprit.length).toBeLessThanOrEqual(200);
      for (const [k, v] of out.tags) {
        expect(k.length).toBeLessThanOrEqual(200);
        expect(v.length).toBeLessThanOrEqual(200);
      }
      expect(new Set(out.tags.map(([k]) => k)).size).toBe(out.tags.length);
      expect(out.user === null || out.user.length <= 200).toBe(true);
    }), { numRuns: 500 });
  });

  it('groups deterministically, also after re-normalizing the stored event', () => {
    fc.assert(fc.property(eventLike, (raw) => {
      const ctxWithId = { ...ctx, eventId: '0123456789abcdef0123456789abcdef' };
      const a = normalizeEvent(raw as Record<string, unknown>, ctxWithId);
      const b = normalizeEvent(raw as Record<string, unknown>, ctxWithId);
      expect(b).toEqual(a);
      const ga = groupEvent(a);
      expect(groupEvent(b)).toEqual(ga);
      expect(eventDisplay(b)).toEqual(eventDisplay(a));
      const stored = normalizeEvent(JSON.parse(JSON.stringify(a)), ctxWithId);
      expect(groupEvent(stored).hashes).toEqual(ga.hashes);
    }), { numRuns: 300 });
  });
});

describe('hostile sizes and shapes', () => {
  function deep(depth: number, array: boolean): unknown {
    let v: unknown = 'bottom';
    for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
    return v;
  }

  it('handles deep nesting everywhere without recursion errors', () => {
    const d = deep(100_000, false);
    const a = deep(100_000, true);
    const raw = {
      extra: { d, a }, contexts: { c: d }, message: a, logentry: { message: '%s', params: [d] }, tags: { t: d }, fingerprint: [d, 'x'],
      user: { id: d, data: d }, request: { data: d, headers: d, env: d }, breadcrumbs: [{ data: d }], debug_meta: d, modules: d,
      exception: [{ type: 'E', value: d, mechanism: { type: 'x', data: d, meta: d }, stacktrace: { frames: [{ function: 'f', vars: d, data: d }] } }],
    };
    const out = pipeline(raw);
    expect(size(out.event)).toBeLessThan(64 * 1024);
    expect(JSON.stringify(out.event.extra)).toContain('[Object]');
  });

  it('bounds huge strings and huge collections in time and output size', () => {
    const huge = 'x'.repeat(5_000_000);
    const frames = Array.from({ length: 20_000 }, (_, i) => ({ function: huge, module: huge, filename: huge, context_line: huge, vars: { a: huge }, lineno: i, in_app: true }));
    const raw = {
      message: huge, logger: huge, transaction: huge, release: huge, environment: huge, server_name: huge,
      exception: Array.from({ length: 2000 }, () => ({ type: huge, value: huge, stacktrace: { frames } })),
      threads: Array.from({ length: 2000 }, () => ({ crashed: true, stacktrace: { frames } })),
      breadcrumbs: Array.from({ length: 100_000 }, () => ({ message: huge, category: huge, data: { a: huge } })),
      tags: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`${i}${'k'.repeat(1000)}`, huge])),
      extra: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, huge])),
      contexts: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`c${i}`, { a: huge }])),
      modules: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`m${i}`, huge])),
      fingerprint: Array.from({ length: 10_000 }, () => huge),
      request: { url: huge, headers: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`h${i}`, huge])), data: huge, query_string: huge },
      user: { id: huge, email: huge, name: huge, data: { a: huge } },
    };
    const t = performance.now();
    const out = pipeline(raw);
    const elapsed = performance.now() - t;
    expect(elapsed).toBeLessThan(5000);
    expect(size(out.event)).toBeLessThan(8 * 1024 * 1024);
    expect(size(out.grouping)).toBeLessThan(8 * 1024 * 1024);
    expect(out.event.logentry!.formatted.length).toBe(8192);
    expect(out.event.exception!.values.length).toBeLessThanOrEqual(25);
    expect(out.event.breadcrumbs!.values.length).toBe(100);
    expect(out.event.tags.length).toBeLessThanOrEqual(200);
    expect(out.display.title.length).toBeLessThanOrEqual(256);
  });

  it('spends bounded regex work on many long exception values without stacks', () => {
    const value = '-1'.repeat(4096);
    const raw = { exception: Array.from({ length: 25 }, (_, i) => ({ type: `E${i}`, value })) };
    const t = performance.now();
    const out = pipeline(raw);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(out.grouping.variant).toBe('app');
  });
});
