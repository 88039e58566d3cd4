import { describe, expect, it } from 'vitest';
import { normalizeEvent, type NormalizeContext } from '../../server/pipeline/normalize.ts';

const RECEIVED = new Date('2024-05-01T12:00:00Z');
const RECEIVED_S = RECEIVED.getTime() / 1000;
const ctx = (over: Partial<NormalizeContext> = {}): NormalizeContext => ({ receivedAt: RECEIVED, ...over });
const norm = (raw: Record<string, unknown>, over: Partial<NormalizeContext> = {}) => normalizeEvent(raw, ctx(over));

describe('event_id', () => {
  it('takes the envelope header over the payload, and normalizes dashed/uppercase ids', () => {
    const ev = norm({ event_id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, { eventId: 'F0E1D2C3-B4A5-9687-7869-5A4B3C2D1E0F' });
    expect(ev.event_id).toBe('f0e1d2c3b4a5968778695a4b3c2d1e0f');
  });

  it('uses the payload id when there is no header, and generates one when both are missing or bad', () => {
    expect(norm({ event_id: 'ABCDEF0123456789ABCDEF0123456789' }).event_id).toBe('abcdef0123456789abcdef0123456789');
    const generated = norm({ event_id: 'not-an-id' });
    expect(generated.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(generated.errors).toContainEqual(expect.objectContaining({ type: 'invalid_data', name: 'event_id' }));
    expect(norm({}).event_id).not.toBe(norm({}).event_id);
  });
});

describe('timestamps', () => {
  it('accepts float seconds and RFC 3339 with Z, without Z, with offsets and nanoseconds (sentry-go)', () => {
    expect(norm({ timestamp: RECEIVED_S - 1.25 }).timestamp).toBeCloseTo(RECEIVED_S - 1.25, 6);
    expect(norm({ timestamp: '2024-05-01T11:59:30Z' }).timestamp).toBe(RECEIVED_S - 30);
    expect(norm({ timestamp: '2024-05-01T11:59:30' }).timestamp).toBe(RECEIVED_S - 30);
    expect(norm({ timestamp: '2024-05-01T13:59:30.123456789+02:00' }).timestamp).toBeCloseTo(RECEIVED_S - 30 + 0.123456789, 5);
    expect(norm({ timestamp: '2024-05-01T07:29:30-04:30' }).timestamp).toBe(RECEIVED_S - 30);
    expect(norm({ timestamp: String(RECEIVED_S - 5) }).timestamp).toBe(RECEIVED_S - 5);
  });

  it('uses the receive time when missing, and records an error when far-future, too old or unparseable', () => {
    const missing = norm({});
    expect(missing.timestamp).toBe(RECEIVED_S);
    expect(missing.received).toBe(RECEIVED_S);
    expect(missing.errors).toEqual([]);

    const future = norm({ timestamp: RECEIVED_S + 3600 });
    expect(future.timestamp).toBe(RECEIVED_S);
    expect(future.errors).toContainEqual(expect.objectContaining({ type: 'future_timestamp' }));
    expect(norm({ timestamp: RECEIVED_S + 30 }).timestamp).toBe(RECEIVED_S + 30); // small skew is fine

    const old = norm({ timestamp: '2023-01-01T00:00:00Z' });
    expect(old.timestamp).toBe(RECEIVED_S);
    expect(old.errors).toContainEqual(expect.objectContaining({ type: 'past_timestamp' }));

    for (const bad of ['yesterday', '2024-02-30T00:00:00Z', { a: 1 }, true]) {
      const ev = norm({ timestamp: bad });
      expect(ev.timestamp).toBe(RECEIVED_S);
      expect(ev.errors).toContainEqual(expect.objectContaining({ type: 'invalid_data', name: 'timestamp' }));
    }
  });

  it('corrects a client clock that is off by an hour or more using the envelope sent_at', () => {
    // The device clock is 2 h behind: it stamped the event 10 s before sending.
    const sentAt = new Date(RECEIVED.getTime() - 2 * 3600_000);
    const ev = norm({ timestamp: sentAt.getTime() / 1000 - 10, breadcrumbs: [{ timestamp: sentAt.getTime() / 1000 - 20, message: 'x' }] }, { sentAt });
    expect(ev.timestamp).toBeCloseTo(RECEIVED_S - 10, 6);
    expect(ev.breadcrumbs?.values[0].timestamp).toBeCloseTo(RECEIVED_S - 20, 6);
    expect(ev.errors).toContainEqual(expect.objectContaining({ type: 'clock_drift' }));
    // Small drift is left alone.
    const small = norm({ timestamp: RECEIVED_S - 10 }, { sentAt: new Date(RECEIVED.getTime() - 60_000) });
    expect(small.timestamp).toBe(RECEIVED_S - 10);
  });
});

describe('level, platform, type and simple attributes', () => {
  it('maps level names, aliases and raven integers', () => {
    const cases: [unknown, string][] = [
      ['warn', 'warning'], ['WARNING', 'warning'], ['critical', 'fatal'], ['log', 'info'], ['debug', 'debug'],
      [10, 'debug'], [20, 'info'], [30, 'warning'], [40, 'error'], [50, 'fatal'], ['40', 'error'], [undefined, 'error'],
    ];
    for (const [raw, want] of cases) expect(norm({ level: raw }).level).toBe(want);
    const bad = norm({ level: 'loud' });
    expect(bad.level).toBe('error');
    expect(bad.errors).toContainEqual(expect.objectContaining({ name: 'level' }));
  });

  it('defaults platform to other and infers the type from exceptions', () => {
    expect(norm({}).platform).toBe('other');
    expect(norm({ platform: 'Python' }).platform).toBe('python');
    expect(norm({ platform: 'brainfuck' }).platform).toBe('other');
    expect(norm({ message: 'hi' }).type).toBe('default');
    expect(norm({ type: 'error', message: 'hi' }).type).toBe('default');
    expect(norm({ exception: [{ type: 'E' }] }).type).toBe('error');
  });

  it('validates release, dist and environment, and stringifies numeric releases of old clients', () => {
    const ev = norm({ release: ' 1.2.3 ', dist: 'build-7', environment: 'production', server_name: 'web-1', transaction: '/users/:id', logger: 'app.views' });
    expect(ev).toMatchObject({ release: '1.2.3', dist: 'build-7', environment: 'production', server_name: 'web-1', transaction: '/users/:id', logger: 'app.views' });
    expect(norm({ release: 42 }).release).toBe('42');
    for (const bad of ['latest', '..', 'a\nb']) expect(norm({ release: bad }).release).toBeNull();
    expect(norm({ dist: 'a b' }).dist).toBeNull();
    expect(norm({ environment: 'a/b' }).environment).toBeNull();
    // Legacy clients put the environment into the tags.
    const legacy = norm({ tags: { environment: 'staging', a: 'b' } });
    expect(legacy.environment).toBe('staging');
    expect(legacy.tags).toEqual([['a', 'b']]);
  });

  it('shortens long logger names from the front like Relay', () => {
    const ev = norm({ logger: `com.example.${'very.'.repeat(20)}Logger` });
    expect(ev.logger!.length).toBe(64);
    expect(ev.logger!.startsWith('*')).toBe(true);
    expect(ev.logger!.endsWith('.Logger')).toBe(true);
  });
});

describe('message and logentry', () => {
  it('turns a plain string message into logentry.formatted', () => {
    expect(norm({ message: 'Payment 991 declined' }).logentry).toEqual({ formatted: 'Payment 991 declined' });
  });

  it('keeps the template and formats %s / %d / {name} params when formatted is missing', () => {
    expect(norm({ logentry: { message: 'User %s failed %d times', params: ['bob', 3] } }).logentry).toEqual({
      message: 'User %s failed %d times', params: ['bob', 3], formatted: 'User bob failed 3 times',
    });
    expect(norm({ logentry: { message: 'User {name} from {0}?', params: { name: 'ann' } } }).logentry?.formatted).toBe('User ann from {0}?');
    expect(norm({ logentry: { message: 'Hi %(who)s, 100%%', params: { who: 'al' } } }).logentry?.formatted).toBe('Hi al, 100%');
    expect(norm({ logentry: { message: 'x=%s', params: [{ a: [1, 2] }] } }).logentry?.formatted).toBe('x={"a":[1,2]}');
    // formatted from the SDK wins
    expect(norm({ logentry: { message: 'a %s', params: ['b'], formatted: 'A B' } }).logentry?.formatted).toBe('A B');
  });

  it('accepts the legacy object form of message, sentry.interfaces.Message, and stringifies other JSON', () => {
    expect(norm({ message: { message: 'x %s', params: ['y'] } }).logentry).toMatchObject({ message: 'x %s', formatted: 'x y' });
    expect(norm({ 'sentry.interfaces.Message': { message: 'legacy' } }).logentry).toEqual({ formatted: 'legacy' });
    expect(norm({ message: 12345 }).logentry).toEqual({ formatted: '12345' });
    expect(norm({ message: false }).logentry).toBeNull();
    expect(norm({ logentry: { formatted: 'new' }, message: 'old' }).logentry?.formatted).toBe('new');
  });
});

describe('exceptions, frames and threads', () => {
  it('accepts exception as {values}, as a bare array and as a single legacy object', () => {
    const a = norm({ exception: { values: [{ type: 'E', value: 'v' }] } });
    const b = norm({ exception: [{ type: 'E', value: 'v' }] });
    const c = norm({ 'sentry.interfaces.Exception': { type: 'E', value: 'v' } });
    expect(a.exception).toEqual({ values: [{ type: 'E', value: 'v' }] });
    expect(b.exception).toEqual(a.exception);
    expect(c.exception).toEqual(a.exception);
  });

  it('drops exceptions without type and value, splits "Type: value" and stringifies odd values', () => {
    const ev = norm({ exception: [{ module: 'x' }, { value: 'TypeError: x is undefined' }, { type: 'E', value: { code: 7 } }] });
    expect(ev.exception?.values).toEqual([{ type: 'TypeError', value: 'x is undefined' }, { type: 'E', value: '{"code":7}' }]);
    expect(ev.errors).toContainEqual(expect.objectContaining({ name: 'exception' }));
  });

  it('normalizes frames: abs_path/filename defaults, "?" functions, missing in_app, bad line numbers', () => {
    const ev = norm({
      platform: 'javascript',
      exception: [{ type: 'E', stacktrace: { frames: [
        { filename: 'https://x.com/static/app.js?v=3', function: '?', lineno: '12', colno: -1 },
        { abs_path: 'https://x.com/static/main.js', function: 'render', in_app: true },
        { abs_path: '/srv/app.py', lineno: 3 },
        null, 'junk', {},
      ] } }],
    });
    const frames = ev.exception!.values[0].stacktrace!.frames;
    expect(frames).toEqual([
      { in_app: false, filename: 'https://x.com/static/app.js?v=3', abs_path: 'https://x.com/static/app.js?v=3', lineno: 12 },
      { in_app: true, function: 'render', filename: '/static/main.js', abs_path: 'https://x.com/static/main.js' },
      { in_app: false, filename: '/srv/app.py', abs_path: '/srv/app.py', lineno: 3 },
    ]);
  });

  it('keeps mechanism fields and context lines', () => {
    const ev = norm({ exception: [{ type: 'E', mechanism: { type: 'onerror', handled: false, synthetic: true, data: { x: 1 } }, stacktrace: { frames: [
      { function: 'f', pre_context: ['1', '2', '3', '4', '5', '6', '7'], context_line: 'boom()', post_context: ['a', null] },
    ] } }] });
    const e = ev.exception!.values[0];
    expect(e.mechanism).toEqual({ type: 'onerror', handled: false, synthetic: true, data: { x: 1 } });
    expect(e.stacktrace!.frames[0]).toMatchObject({ pre_context: ['3', '4', '5', '6', '7'], context_line: 'boom()', post_context: ['a', ''] });
  });

  it('trims stack traces over 250 frames from the middle', () => {
    const frames = Array.from({ length: 1000 }, (_, i) => ({ function: `f${i}`, in_app: true }));
    const st = norm({ exception: [{ type: 'RecursionError', stacktrace: { frames } }] }).exception!.values[0].stacktrace!;
    expect(st.frames).toHaveLength(250);
    expect(st.frames[0].function).toBe('f0');
    expect(st.frames[124].function).toBe('f124');
    expect(st.frames[125].function).toBe('f875');
    expect(st.frames[249].function).toBe('f999');
    expect(st.frames_omitted).toEqual([125, 875]);
  });

  it('bounds the number of frames across the whole event', () => {
    const frames = Array.from({ length: 250 }, (_, i) => ({ function: `f${i}` }));
    const exception = Array.from({ length: 25 }, () => ({ type: 'E', stacktrace: { frames } }));
    const ev = norm({ exception });
    const total = ev.exception!.values.reduce((n, e) => n + (e.stacktrace?.frames.length ?? 0), 0);
    expect(total).toBeLessThanOrEqual(1000);
    // The main (last) exception keeps its frames.
    expect(ev.exception!.values.at(-1)!.stacktrace!.frames).toHaveLength(250);
  });

  it('accepts threads as {values} or array, and the legacy top-level stacktrace', () => {
    const ev = norm({ threads: [{ id: 1, crashed: true, name: 'main', stacktrace: { frames: [{ function: 'run' }] } }], 'sentry.interfaces.Stacktrace': { frames: [{ function: 'x' }] } });
    expect(ev.threads?.values[0]).toMatchObject({ id: 1, crashed: true, name: 'main' });
    expect(ev.stacktrace?.frames[0].function).toBe('x');
  });
});

describe('tags, user, request, contexts, breadcrumbs, sdk', () => {
  it('accepts tags as an object or as pairs, stringifies, drops nulls, dedupes and bounds', () => {
    expect(norm({ tags: { a: 'x', n: 5, b: true, z: null } }).tags).toEqual([['a', 'x'], ['n', '5'], ['b', 'true']]);
    expect(norm({ tags: [['a', 'x'], ['a', 'y'], ['c', 'd'], ['bad'], ['o', { x: 1 }]] }).tags).toEqual([['a', 'x'], ['c', 'd']]);
    const long = norm({ tags: { ['k'.repeat(300)]: 'v'.repeat(300) } }).tags[0];
    expect(long[0]).toHaveLength(200);
    expect(long[1]).toHaveLength(200);
    expect(norm({ tags: { release: '1', user: 'x', ok: 'y' } }).tags).toEqual([['ok', 'y']]);
    const many = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v']));
    expect(norm({ tags: many }).tags.length).toBeLessThanOrEqual(200);
  });

  it('normalizes the user: numeric ids, {{auto}} ip, unknown keys into data', () => {
    const ev = norm({ user: { id: 42, email: 'a@b.co', ip_address: '{{auto}}', plan: 'pro' } }, { clientIp: '203.0.113.5' });
    expect(ev.user).toEqual({ id: '42', email: 'a@b.co', ip_address: '203.0.113.5', data: { plan: 'pro' } });
    expect(norm({ 'sentry.interfaces.User': { id: 'u1', ip_address: 'auto' } }, { clientIp: '::1' }).user).toEqual({ id: 'u1', ip_address: '::1' });
    expect(norm({ user: { ip_address: 'nope' } }).user).toBeNull();
    // Browser events get the client address when the SDK sent none; server events do not.
    expect(norm({ platform: 'javascript' }, { clientIp: '198.51.100.7' }).user).toEqual({ ip_address: '198.51.100.7' });
    expect(norm({ platform: 'python' }, { clientIp: '198.51.100.7' }).user).toBeNull();
  });

  it('normalizes the request: header pairs, query split from the url, cookies, method', () => {
    const ev = norm({
      'sentry.interfaces.Http': {
        url: 'https://shop.example.com/cart?item=1&q=a%20b#top', method: 'post',
        headers: [['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'], ['authorization', 'Bearer secret']],
        cookies: 'sid=1; theme=dark', data: { a: 1 },
      },
    });
    expect(ev.request).toEqual({
      url: 'https://shop.example.com/cart', method: 'POST', query_string: [['item', '1'], ['q', 'a b']], fragment: 'top',
      data: { a: 1 }, cookies: [['sid', '1'], ['theme', 'dark']],
      headers: [['User-Agent', expect.stringContaining('Chrome/120')], ['Authorization', '[Filtered]']],
    });
    // The browser and OS come from the User-Agent when the SDK sent no contexts; on a server
    // platform the header describes the client, so its OS is `client_os`, not `os`.
    expect(ev.contexts.browser).toEqual({ name: 'Chrome', version: '120.0.0.0', type: 'browser' });
    expect(ev.contexts.client_os).toEqual({ name: 'Linux', type: 'os' });
    expect(ev.contexts.os).toBeUndefined();
    const browser = norm({ platform: 'javascript', request: { headers: { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0' } } });
    expect(browser.contexts).toEqual({ browser: { name: 'Firefox', version: '125.0', type: 'browser' }, os: { name: 'Windows', version: '10', type: 'os' } });
  });

  it('keeps contexts as objects with a type, drops non-objects', () => {
    const ev = norm({ contexts: { os: { name: 'Debian', version: '12' }, myctx: { type: 'custom', a: 1 }, bad: 'x' } });
    expect(ev.contexts).toEqual({ os: { name: 'Debian', version: '12', type: 'os' }, myctx: { type: 'custom', a: 1 } });
  });

  it('keeps the newest 100 breadcrumbs with normalized levels and timestamps', () => {
    const crumbs = Array.from({ length: 150 }, (_, i) => ({ timestamp: '2024-05-01T11:00:00Z', message: `m${i}`, level: 'warn' }));
    const ev = norm({ breadcrumbs: { values: crumbs } });
    expect(ev.breadcrumbs!.values).toHaveLength(100);
    expect(ev.breadcrumbs!.values[0]).toEqual({ type: 'default', level: 'warning', timestamp: RECEIVED_S - 3600, message: 'm50' });
  });

  it('falls back to the sentry_client of the auth header for the sdk', () => {
    expect(norm({}, { sdkFromAuth: { name: 'raven-ruby', version: '3.1.2' } }).sdk).toEqual({ name: 'raven-ruby', version: '3.1.2' });
    expect(norm({ sdk: { name: 'sentry.python', version: '2.1.0', integrations: ['django', 5] } }, { sdkFromAuth: { name: 'x', version: '1' } }).sdk)
      .toEqual({ name: 'sentry.python', version: '2.1.0', integrations: ['django'] });
  });

  it('stringifies fingerprint numbers and drops empty fingerprints', () => {
    expect(norm({ fingerprint: ['a', 1, true, null] }).fingerprint).toEqual(['a', '1', 'true']);
    expect(norm({ fingerprint: [] }).fingerprint).toBeNull();
    expect(norm({ fingerprint: 'x' }).fingerprint).toBeNull();
  });
});

describe('bounds and hostile input', () => {
  it('trims messages, exception values, culprit-like fields and extra to Sentry limits', () => {
    const ev = norm({
      message: 'm'.repeat(100_000),
      exception: [{ type: 'T'.repeat(1000), value: 'v'.repeat(100_000) }],
      environment: 'e'.repeat(100), release: 'r'.repeat(300), transaction: 't'.repeat(300),
      extra: { big: 'x'.repeat(100_000), deep: JSON.parse('['.repeat(50) + ']'.repeat(50)) },
    });
    expect(ev.logentry!.formatted).toHaveLength(8192);
    expect(ev.logentry!.formatted.endsWith('...')).toBe(true);
    expect(ev.exception!.values[0].value).toHaveLength(8192);
    expect(ev.exception!.values[0].type!.length).toBeLessThanOrEqual(256);
    expect(ev.environment).toHaveLength(64);
    expect(ev.release).toHaveLength(200);
    expect(ev.transaction).toHaveLength(200);
    expect((ev.extra.big as string).length).toBeLessThanOrEqual(16 * 1024);
    expect(JSON.stringify(ev.extra.deep)).toContain('[Array]');
  });

  it('stores no NUL and no lone surrogates, and cannot be tricked by __proto__ keys', () => {
    const raw = JSON.parse('{"message":"a\\u0000b\\ud800c","extra":{"__proto__":{"polluted":true}},"tags":{"__proto__":"x"}}');
    const ev = norm(raw);
    expect(ev.logentry!.formatted).toBe('a\uFFFDb\uFFFDc');
    expect(Object.getPrototypeOf(ev.extra)).toBe(Object.prototype);
    expect(Object.keys(ev.extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ev.tags).toEqual([['__proto__', 'x']]);
  });

  it('never throws on wrong types anywhere, recording them in errors', () => {
    const weird = [null, true, 1, 'x', [], {}, [[]], { values: 3 }];
    for (const key of ['exception', 'threads', 'stacktrace', 'breadcrumbs', 'tags', 'extra', 'contexts', 'user', 'request', 'sdk', 'fingerprint', 'modules', 'logentry', 'message', 'timestamp', 'level', 'release', 'event_id', 'platform']) {
      for (const v of weird) expect(() => norm({ [key]: v })).not.toThrow();
    }
    expect(() => normalizeEvent(null as unknown as Record<string, unknown>, ctx())).not.toThrow();
    expect(() => normalizeEvent([] as unknown as Record<string, unknown>, ctx())).not.toThrow();
    expect(norm({ exception: 5, user: 'bob' }).errors.map((e) => e.name)).toEqual(['exception', 'user']);
  });

  it('caps the number of recorded errors', () => {
    const tags = Array.from({ length: 1000 }, () => ['k', { bad: 1 }]);
    expect(norm({ tags }).errors.length).toBeLessThanOrEqual(50);
  });
});
