// The SDK's API and client behaviour through the Node entry, with a recording transport: scope and
// hints, withScope (sync and across awaits), beforeSend, sampling, breadcrumb limits, what gets
// thrown at it, log batching, and that nothing it is given makes it throw.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getClient } from '../../sdk/src/hub.ts';
import * as Faultline from '../../sdk/src/node/index.ts';
import { originalConsole } from '../../sdk/src/util.ts';
import { recordingTransport } from '../../sdk/test/helpers.ts';

const DSN = 'https://0123456789abcdef0123456789abcdef@errors.example.com/3';
let rec: ReturnType<typeof recordingTransport>;

function start(options: Partial<Faultline.Options> = {}) {
  rec = recordingTransport();
  Faultline.init({ dsn: DSN, defaultIntegrations: false, transport: rec.makeRequest, ...options });
  Faultline.getCurrentScope().clear();
  return rec;
}
async function events() {
  await Faultline.flush(2000);
  return rec.items('event').map((i) => i.payload);
}
async function reports() {
  await Faultline.flush(2000);
  return rec.items('client_report').flatMap((i) => i.payload.discarded_events);
}

afterEach(async () => {
  await Faultline.close(1000);
  vi.useRealTimers();
});

describe('scope', () => {
  it('puts user, tags, contexts, extra and breadcrumbs on events', async () => {
    start({ release: 'app@2.0.0', environment: 'staging', serverName: 'web-1' });
    Faultline.setUser({ id: 7, email: 'a@b.c' });
    Faultline.setTag('shard', 3);
    Faultline.setTags({ region: 'eu', dropped: undefined });
    Faultline.setContext('order', { id: 'o-1', total: 12.5 });
    Faultline.setExtra('cart', { items: 2 });
    Faultline.setExtras({ attempt: 1 });
    Faultline.addBreadcrumb({ category: 'auth', message: 'signed in' });
    Faultline.captureException(new Error('x'));
    const [e] = await events();
    expect(e).toMatchObject({
      level: 'error',
      platform: 'node',
      release: 'app@2.0.0',
      environment: 'staging',
      server_name: 'web-1',
      user: { id: 7, email: 'a@b.c' },
      tags: { shard: '3', region: 'eu' },
      extra: { cart: { items: 2 }, attempt: 1 },
      contexts: { order: { id: 'o-1', total: 12.5 } },
    });
    expect(e.breadcrumbs).toEqual([{ category: 'auth', message: 'signed in', timestamp: expect.any(Number) }]);
    expect(e.contexts.runtime.name).toBe('node');
    expect(e.contexts.trace.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(e.contexts.trace.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(e.sdk).toEqual({ name: 'faultline.javascript.node', version: '0.1.0', packages: [{ name: 'npm:@faultline/sdk', version: '0.1.0' }] });
  });

  it('forgets what is set to null', async () => {
    start();
    Faultline.setUser({ id: 1 });
    Faultline.setUser(null);
    Faultline.setContext('c', { a: 1 });
    Faultline.setContext('c', null);
    Faultline.setTag('t', 'v');
    Faultline.setTag('t', null);
    Faultline.captureException(new Error('x'));
    const [e] = await events();
    expect(e.user).toBeUndefined();
    expect(e.tags).toBeUndefined();
    expect(e.contexts.c).toBeUndefined();
  });

  it('keeps the newest maxBreadcrumbs breadcrumbs', async () => {
    start({ maxBreadcrumbs: 3 });
    for (let i = 0; i < 10; i++) Faultline.addBreadcrumb({ message: `b${i}` });
    Faultline.captureMessage('m');
    const [e] = await events();
    expect(e.breadcrumbs.map((b: { message: string }) => b.message)).toEqual(['b7', 'b8', 'b9']);
  });

  it('withScope: changes stay inside, the callback\'s value comes back', async () => {
    start();
    Faultline.setTag('outer', 'yes');
    const value = Faultline.withScope((scope) => {
      scope.setTag('inner', 'yes');
      scope.setLevel('warning');
      Faultline.setUser({ id: 'inside' });
      Faultline.captureException(new Error('inside'));
      return 42;
    });
    expect(value).toBe(42);
    Faultline.captureException(new Error('outside'));
    const sent = await events();
    const inside = sent.find((e) => e.exception.values[0].value === 'inside');
    const outside = sent.find((e) => e.exception.values[0].value === 'outside');
    expect(inside).toMatchObject({ level: 'warning', tags: { outer: 'yes', inner: 'yes' }, user: { id: 'inside' } });
    expect(outside.level).toBe('error');
    expect(outside.tags).toEqual({ outer: 'yes' });
    expect(outside.user).toBeUndefined();
  });

  it('withScope on Node follows the callback across awaits, without leaking into concurrent work', async () => {
    start();
    const job = (n: number) =>
      Faultline.withScope(async (scope) => {
        scope.setTag('job', n);
        await new Promise((r) => setTimeout(r, 10 * (3 - n)));
        Faultline.setExtra('n', n);
        Faultline.captureException(new Error(`job ${n}`));
      });
    await Promise.all([job(1), job(2)]);
    Faultline.captureException(new Error('after'));
    const byValue = Object.fromEntries((await events()).map((e) => [e.exception.values[0].value, e]));
    expect(byValue['job 1'].tags).toEqual({ job: '1' });
    expect(byValue['job 1'].extra).toEqual({ n: 1 });
    expect(byValue['job 2'].tags).toEqual({ job: '2' });
    expect(byValue.after.tags).toBeUndefined();
    expect(byValue.after.extra).toBeUndefined();
  });
});

describe('capture hints', () => {
  it('takes fingerprint, level, tags and extra, over the scope\'s', async () => {
    start();
    Faultline.setTag('a', 'scope');
    Faultline.getCurrentScope().setLevel('info');
    Faultline.captureException(new Error('x'), { fingerprint: ['{{ default }}', 'billing'], level: 'fatal', tags: { a: 'hint', b: 2, c: null }, extra: { invoice: 'inv-1' } });
    Faultline.captureMessage('m', { level: 'debug', tags: { m: true } });
    Faultline.captureMessage('w', 'warning');
    const sent = await events();
    const e = sent.find((x) => x.exception.values[0].type === 'Error' && !x.message);
    const m = sent.find((x) => x.message === 'm');
    const w = sent.find((x) => x.message === 'w');
    expect(e).toMatchObject({ fingerprint: ['{{ default }}', 'billing'], level: 'fatal', tags: { a: 'hint', b: '2' }, extra: { invoice: 'inv-1' } });
    expect(e.tags.c).toBeUndefined();
    expect(m).toMatchObject({ level: 'debug', tags: { a: 'scope', m: 'true' }, message: 'm' });
    expect(w.level).toBe('warning');
  });
});

describe('beforeSend and sampling', () => {
  it('sends what beforeSend returns, may be async, sees the original error', async () => {
    const seen: unknown[] = [];
    start({
      beforeSend: async (event, hint) => {
        seen.push(hint.originalException);
        await new Promise((r) => setTimeout(r, 5));
        event.tags = { ...event.tags, scrubbed: 'yes' };
        return event;
      },
    });
    const err = new Error('x');
    Faultline.captureException(err);
    const [e] = await events();
    expect(e.tags).toEqual({ scrubbed: 'yes' });
    expect(seen).toEqual([err]);
  });

  it('drops (and reports) what beforeSend returns null for, or throws on', async () => {
    start({ beforeSend: (event) => (event.message === 'throw' ? (() => { throw new Error('bug in beforeSend'); })() : null) });
    Faultline.captureMessage('drop me');
    Faultline.captureMessage('throw');
    expect(await events()).toEqual([]);
    expect(await reports()).toEqual([{ reason: 'before_send', category: 'error', quantity: 2 }]);
  });

  it('samples events by sampleRate and reports the dropped ones', async () => {
    start({ sampleRate: 0.5 });
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValueOnce(0.7).mockReturnValueOnce(0.2);
    Faultline.captureMessage('dropped');
    Faultline.captureMessage('kept');
    random.mockRestore();
    expect((await events()).map((e) => e.message)).toEqual(['kept']);
    expect(await reports()).toEqual([{ reason: 'sample_rate', category: 'error', quantity: 1 }]);
  });
});

describe('what can be captured', () => {
  it('reports a string with a stack from the call site, marked synthetic', async () => {
    start();
    Faultline.captureException('plain string failure');
    const [e] = await events();
    const [x] = e.exception.values;
    expect(x).toMatchObject({ type: 'Error', value: 'plain string failure', mechanism: { type: 'generic', handled: true, synthetic: true } });
    expect(x.stacktrace.frames.at(-1).filename).toBe(import.meta.filename);
    expect(x.stacktrace.frames.at(-1).in_app).toBe(true);
  });

  it('reports a plain object by its keys, with the object as extra; an error inside it wins', async () => {
    start();
    Faultline.captureException({ code: 'E1', detail: 'bad' });
    const inner = new RangeError('inside');
    Faultline.captureException({ error: inner });
    const sent = await events();
    const a = sent.find((x) => x.extra?.__serialized__?.code === 'E1');
    const b = sent.find((x) => x.exception.values[0].type === 'RangeError');
    expect(a.exception.values[0].value).toBe('Object captured as exception with keys: code, detail');
    expect(a.extra.__serialized__).toEqual({ code: 'E1', detail: 'bad' });
    expect(b.exception.values[0]).toMatchObject({ type: 'RangeError', value: 'inside' });
  });

  it('sends an error once even when it is captured again (e.g. caught, reported, rethrown)', async () => {
    start();
    const err = new Error('once');
    expect(Faultline.captureException(err)).toMatch(/^[0-9a-f]{32}$/);
    expect(Faultline.captureException(err)).toBe('');
    expect(await events()).toHaveLength(1);
  });

  it('never throws, whatever it is given', async () => {
    start();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const hostile = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } });
    const weirdError = Object.assign(new Error('weird'), { cause: cyclic });
    Object.defineProperty(weirdError, 'name', { get: () => { throw new Error('name getter'); } });
    expect(() => {
      Faultline.setExtra('cyclic', cyclic);
      Faultline.setExtra('big', 10n);
      Faultline.setExtra('fn', () => 1);
      Faultline.setExtra('hostile', hostile);
      Faultline.setContext('sym', { s: Symbol('x') });
      Faultline.addBreadcrumb({ message: 'x', data: { cyclic } });
      Faultline.captureException(weirdError, { extra: { cyclic } });
      Faultline.captureException(null);
      Faultline.captureException(undefined);
      Faultline.captureException(Object.create(null));
      Faultline.captureMessage(undefined as unknown as string);
      Faultline.logger.info('log', { cyclic, big: 1n, nan: NaN });
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      Faultline.setTag('sym', Symbol('tag') as unknown as string);
      Faultline.setExtra('revoked', proxy);
      Faultline.setUser(proxy);
      Faultline.addBreadcrumb(hostile as never);
      Faultline.addBreadcrumb(null as never);
      Faultline.captureException(proxy);
      Faultline.captureMessage('null hint', null as never);
    }).not.toThrow();
    const sent = await events();
    expect(sent.length).toBe(6);
    expect(sent.find((x) => x.message === 'null hint')).toMatchObject({ level: 'info', tags: { sym: 'Symbol(tag)' } });
    const weird = sent.find((x) => x.exception.values.at(-1).value === 'weird');
    expect(weird.exception.values.at(-1).type).toBe('Error');
    expect(weird.extra.cyclic).toEqual({ name: 'loop', self: '[Circular ~]' });
    expect(weird.extra.big).toBe('10n');
    expect(weird.extra.hostile).toBe('[unserializable]');
  });
});

describe('lifecycle', () => {
  it('does nothing before init, with enabled: false, or without a valid DSN', async () => {
    await Faultline.close();
    expect(Faultline.captureException(new Error('x'))).toBe('');
    Faultline.init({ dsn: DSN, enabled: false });
    expect(getClient()).toBeUndefined();
    // The SDK's own warnings go to the console as it was before the SDK wrapped it.
    const warn = vi.spyOn(originalConsole, 'warn').mockImplementation(() => {});
    Faultline.init({ dsn: 'not a dsn' });
    expect(getClient()).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    Faultline.init({});
    expect(warn).toHaveBeenCalledTimes(1); // no DSN at all is a quiet no-op
    warn.mockRestore();
    expect(Faultline.captureMessage('x')).toBe('');
    expect(await Faultline.flush(10)).toBe(true);
  });

  it('close flushes, then later captures do nothing', async () => {
    start();
    Faultline.captureMessage('before');
    Faultline.logger.info('buffered');
    expect(await Faultline.close(2000)).toBe(true);
    expect(rec.items('event')).toHaveLength(1);
    expect(rec.items('log')).toHaveLength(1);
    Faultline.captureMessage('after');
    Faultline.logger.info('after');
    await Faultline.flush(100);
    expect(rec.requests).toHaveLength(2);
  });

  it('init again replaces the client', async () => {
    const first = start();
    const second = recordingTransport();
    Faultline.init({ dsn: DSN, defaultIntegrations: false, transport: second.makeRequest });
    Faultline.captureMessage('to the second');
    await Faultline.flush(1000);
    expect(first.requests).toHaveLength(0);
    expect(second.items('event')).toHaveLength(1);
  });
});

describe('logs', () => {
  it('sends at most 100 logs per envelope, a full batch at once and the rest on flush', async () => {
    start();
    for (let i = 0; i < 250; i++) Faultline.logger.debug(Faultline.logger.fmt`tick ${i}`);
    await new Promise((r) => setTimeout(r, 10));
    expect(rec.items('log').map((i) => i.header.item_count)).toEqual([100, 100]);
    await Faultline.flush(1000);
    const counts = rec.items('log').map((i) => [i.header.item_count, i.payload.items.length]);
    expect(counts).toEqual([
      [100, 100],
      [100, 100],
      [50, 50],
    ]);
    expect(rec.envelopes().every((e) => e.items.length === 1)).toBe(true);
  });

  it('flushes a partial batch after logFlushInterval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    start({ logFlushInterval: 50 });
    Faultline.logger.info('one');
    Faultline.logger.warn('two');
    await vi.advanceTimersByTimeAsync(49);
    expect(rec.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(rec.items('log').map((i) => i.payload.items.map((l: { body: string }) => l.body))).toEqual([['one', 'two']]);
  });

  it('types attributes, carries the template and its parameters, and the severity per level', async () => {
    start({ release: 'r@1', serverName: 'host-a' });
    Faultline.setUser({ id: 'u1', username: 'jane' });
    Faultline.logger.fatal(Faultline.logger.fmt`Disk ${'/var'} at ${97.5}% on ${3} nodes`, { ok: false, size: { value: 12, unit: 'byte' }, list: [1, 2], obj: { a: 1 } });
    Faultline.logger.trace('no template');
    await Faultline.flush(1000);
    const [a, b] = rec.items('log')[0].payload.items;
    expect(a).toMatchObject({ level: 'fatal', severity_number: 21, body: 'Disk /var at 97.5% on 3 nodes' });
    expect(a.attributes).toMatchObject({
      ok: { value: false, type: 'boolean' },
      size: { value: 12, type: 'integer', unit: 'byte' },
      list: { value: '[1,2]', type: 'string' },
      obj: { value: '{"a":1}', type: 'string' },
      'sentry.message.template': { value: 'Disk %s at %s%% on %s nodes', type: 'string' },
      'sentry.message.parameter.0': { value: '/var', type: 'string' },
      'sentry.message.parameter.1': { value: 97.5, type: 'double' },
      'sentry.message.parameter.2': { value: 3, type: 'integer' },
      'user.id': { value: 'u1', type: 'string' },
      'user.name': { value: 'jane', type: 'string' },
      'sentry.release': { value: 'r@1', type: 'string' },
      'server.address': { value: 'host-a', type: 'string' },
    });
    expect(b).toMatchObject({ level: 'trace', severity_number: 1, body: 'no template' });
    expect(b.attributes['sentry.message.template']).toBeUndefined();
  });

  it('sends nothing with enableLogs: false', async () => {
    start({ enableLogs: false });
    Faultline.logger.error('x');
    await Faultline.flush(100);
    expect(rec.requests).toHaveLength(0);
  });
});
