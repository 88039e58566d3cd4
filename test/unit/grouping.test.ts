import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../server/pipeline/normalize.ts';
import { FALLBACK_HASH, GROUPING_VERSION, groupEvent } from '../../server/pipeline/grouping/index.ts';

const md5 = (...parts: string[]) => createHash('md5').update(parts.join(''), 'utf8').digest('hex');
const group = (raw: Record<string, unknown>) => groupEvent(normalizeEvent(raw, { receivedAt: new Date('2024-05-01T12:00:00Z') }));

interface PyOpts {
  type?: string;
  value?: string;
  line?: number;
  frames?: Record<string, unknown>[];
  extra?: Record<string, unknown>;
}

/** A Django view error as sentry-python sends it (oldest frame first, locals in `vars`). */
function pythonEvent(o: PyOpts = {}): Record<string, unknown> {
  const line = o.line ?? 12;
  const frames = o.frames ?? [
    { filename: 'django/core/handlers/base.py', abs_path: '/venv/lib/python3.12/site-packages/django/core/handlers/base.py', module: 'django.core.handlers.base', function: '_get_response', lineno: 197, context_line: '                response = wrapped_callback(request, *callback_args, **callback_kwargs)', in_app: false },
    { filename: 'app/views.py', abs_path: '/srv/app/views.py', module: 'app.views', function: 'handler', lineno: line, pre_context: ['def handler(request):'], context_line: "    return get_user(request.GET['uid'])", post_context: [''], in_app: true, vars: { request: '<WSGIRequest>' } },
    { filename: 'app/views.py', abs_path: '/srv/app/views.py', module: 'app.views', function: 'get_user', lineno: line + 9, context_line: '    return USERS[uid]', in_app: true, vars: { uid: "'user_42'" } },
  ];
  return {
    event_id: '0123456789abcdef0123456789abcdef',
    timestamp: '2024-05-01T11:59:59.123456Z',
    platform: 'python',
    level: 'error',
    server_name: 'web-1',
    exception: { values: [{ type: o.type ?? 'KeyError', value: o.value ?? "'user_42'", module: null, mechanism: { type: 'django', handled: false }, stacktrace: { frames } }] },
    sdk: { name: 'sentry.python.django', version: '2.10.0' },
    ...o.extra,
  };
}

describe('exceptions with stack traces', () => {
  it('groups the same error thrown twice with different values, ids, line numbers and locals', () => {
    const a = group(pythonEvent());
    const b = group({ ...pythonEvent({ value: "'user_977'", line: 40 }), event_id: 'ffffffffffffffffffffffffffffffff' });
    expect(b.hash).toBe(a.hash);
    expect(b.hashes).toEqual(a.hashes);
    expect(a.variant).toBe('app');
  });

  it('splits different exception types and different in-app call paths', () => {
    const base = group(pythonEvent());
    expect(group(pythonEvent({ type: 'ValueError' })).hash).not.toBe(base.hash);
    const otherPath = pythonEvent();
    const frames = (otherPath.exception as { values: { stacktrace: { frames: Record<string, unknown>[] } }[] }).values[0].stacktrace.frames;
    frames[1] = { ...frames[1], function: 'admin_handler' };
    expect(group(otherPath).hash).not.toBe(base.hash);
  });

  it('ignores changes in library frames for the app hash, but the system hash sees them', () => {
    const base = group(pythonEvent());
    const lib = pythonEvent();
    const frames = (lib.exception as { values: { stacktrace: { frames: Record<string, unknown>[] } }[] }).values[0].stacktrace.frames;
    frames.unshift({ module: 'gunicorn.workers.sync', function: 'handle', filename: 'gunicorn/workers/sync.py', in_app: false });
    const changed = group(lib);
    expect(changed.hash).toBe(base.hash);
    expect(changed.variants.system.hash).not.toBe(base.variants.system.hash);
    expect(changed.hashes).toHaveLength(2);
  });

  it('uses the system variant when no frame is in-app', () => {
    const ev = pythonEvent({ frames: [{ module: 'lib.a', function: 'f', in_app: false }, { module: 'lib.b', function: 'g' }] });
    const g = group(ev);
    expect(g.variant).toBe('system');
    expect(g.variants.app.contributes).toBe(false);
    expect(g.variants.app.hash).toBeNull();
    expect(g.hash).toBe(md5('KeyError', 'lib.a', 'f', 'lib.b', 'g'));
  });

  it('collapses recursion so the depth of a recursive call does not split the issue', () => {
    const rec = (depth: number) => pythonEvent({
      type: 'RecursionError', value: 'maximum recursion depth exceeded',
      frames: [{ module: 'app.tree', function: 'main', in_app: true }, ...Array.from({ length: depth }, () => ({ module: 'app.tree', function: 'walk', lineno: 7, in_app: true }))],
    });
    expect(group(rec(3)).hash).toBe(group(rec(40)).hash);
  });

  it('never hashes line numbers, even for frames without a function', () => {
    const frame = (lineno: number) => ({ filename: 'app/cli.py', module: 'app.cli', lineno, in_app: true });
    expect(group(pythonEvent({ frames: [frame(1)] })).hash).toBe(group(pythonEvent({ frames: [frame(99)] })).hash);
  });
});

describe('exceptions without a usable stack', () => {
  it('groups by type plus the normalized value', () => {
    const noStack = (value: string) => ({ platform: 'python', exception: [{ type: 'LookupError', value }] });
    expect(group(noStack('Order 12345 not found')).hash).toBe(group(noStack('Order 777 not found')).hash);
    expect(group(noStack('Order 12345 not found')).hash).toBe(md5('LookupError', 'Order <int> not found'));
    expect(group(noStack('Order 1 not found')).hash).not.toBe(group(noStack('Customer 1 not found')).hash);
  });

  it('ignores the type of a synthetic exception', () => {
    const synthetic = (type: string) => ({ exception: [{ type, value: 'boom', mechanism: { type: 'generic', synthetic: true } }] });
    expect(group(synthetic('Error')).hash).toBe(group(synthetic('Object')).hash);
    expect(group(synthetic('Error')).hash).toBe(md5('boom'));
  });

  it('makes every exception of a chain contribute: a different cause is a different issue', () => {
    const chain = (cause: string) => ({ platform: 'python', exception: [{ type: cause, value: 'db down' }, { type: 'ServiceError', value: 'could not load order' }] });
    const a = group(chain('ConnectionError'));
    expect(a.hash).toBe(md5('ConnectionError', 'db down', 'ServiceError', 'could not load order'));
    expect(group(chain('TimeoutError')).hash).not.toBe(a.hash);
    expect(group(chain('ConnectionError')).hash).toBe(a.hash);
  });
});

describe('protocol §6.7 worked examples', () => {
  it('Python KeyError with in-app frames hashes type + frames, not the value', () => {
    const ev = pythonEvent({
      frames: [
        { module: 'app.views', filename: 'app/views.py', function: 'handler', context_line: "    return get_user(request.GET['uid'])", in_app: true },
        { module: 'app.views', filename: 'app/views.py', function: 'get_user', context_line: '    return USERS[uid]', in_app: true },
      ],
    });
    expect(group(ev).hash).toBe(md5('KeyError', 'app.views', 'handler', "return get_user(request.GET['uid'])", 'app.views', 'get_user', 'return USERS[uid]'));
  });

  it('the same KeyError without a stack: the id is not replaced (no word boundary in user_42)', () => {
    const g = group({ platform: 'python', exception: [{ type: 'KeyError', value: "'user_42'" }] });
    expect(g.hash).toBe(md5('KeyError', "'user_42'"));
    expect(group({ platform: 'python', exception: [{ type: 'KeyError', value: "'user 42'" }] }).hash).toBe(md5('KeyError', "'user <int>'"));
  });

  it('captureMessage("Payment 991 declined") hashes the parameterized message', () => {
    const g = group({ message: 'Payment 991 declined', level: 'info' });
    expect(g.variant).toBe('default');
    expect(g.hash).toBe(md5('Payment <int> declined'));
    expect(group({ message: 'Payment 17 declined' }).hash).toBe(g.hash);
  });
});

describe('messages', () => {
  it('groups logger.error("User %s failed", name) across users by its template', () => {
    const log = (name: string) => ({ logger: 'app.auth', logentry: { message: 'User %s failed', params: [name] } });
    const a = group(log('alice'));
    expect(group(log('bob')).hash).toBe(a.hash);
    expect(a.hash).toBe(md5('User %s failed'));
  });

  it('trims messages to two lines before hashing', () => {
    expect(group({ message: 'first\nsecond\nthird 1' }).hash).toBe(group({ message: 'first\nsecond\nthird 2' }).hash);
    expect(group({ message: 'first\nsecond\nthird' }).hash).toBe(md5('first\nsecond...'));
  });

  it('lets an exception take precedence over the message', () => {
    const g = group({ message: 'logged', exception: [{ type: 'E', value: 'v' }] });
    expect(g.variant).toBe('app');
    expect(g.variants.default).toBeUndefined();
    expect(g.hash).toBe(md5('E', 'v'));
  });

  it('puts every event without grouping information into the fallback group md5("")', () => {
    expect(FALLBACK_HASH).toBe('d41d8cd98f00b204e9800998ecf8427e');
    for (const raw of [{}, { message: '' }, { exception: [{ type: '', value: '' }] }, { threads: [{ id: 1 }, { id: 2 }] }]) {
      const g = group(raw);
      expect(g.hash).toBe(FALLBACK_HASH);
      expect(g.variant).toBe('fallback');
    }
  });
});

describe('threads and the top-level stacktrace', () => {
  const thread = (over: Record<string, unknown>) => ({ stacktrace: { frames: [{ module: 'com.shop.Worker', function: 'run', in_app: true }] }, ...over });

  it('uses the crashed thread, else the current one, else the only one', () => {
    const want = md5('com.shop.Worker', 'run');
    expect(group({ platform: 'java', threads: [thread({ id: 1 }), thread({ id: 2, crashed: true })] }).hash).toBe(want);
    expect(group({ platform: 'java', threads: [thread({ id: 1, current: true }), { id: 2, stacktrace: { frames: [{ function: 'x' }] } }] }).hash).toBe(want);
    expect(group({ platform: 'java', threads: { values: [thread({ id: 1 })] } }).hash).toBe(want);
    // Two threads and no crashed/current one: threads do not group, the message does.
    expect(group({ platform: 'java', message: 'm', threads: [thread({ id: 1 }), thread({ id: 2 })] }).variant).toBe('default');
  });

  it('uses a top-level stacktrace (captureMessage with attachStacktrace)', () => {
    const g = group({ platform: 'python', message: 'cache miss 42', stacktrace: { frames: [{ module: 'app.cache', function: 'get', in_app: true }] } });
    expect(g.hash).toBe(md5('app.cache', 'get'));
  });
});

describe('fingerprints', () => {
  const node = (type: string, fingerprint?: unknown[]) => ({
    platform: 'node', transaction: 'POST /pay', tags: { tenant: 'acme' }, level: 'error', logger: 'payments',
    exception: [{ type, value: 'card declined 4242', stacktrace: { frames: [
      { filename: '/app/src/pay.js', module: 'src:pay', function: 'charge', in_app: true, lineno: 10 },
    ] } }],
    ...(fingerprint ? { fingerprint } : {}),
  });

  it('custom: groups as the user asked, regardless of the error', () => {
    const a = group(node('CardError', ['payment-gateway']));
    const b = group(node('TimeoutError', ['payment-gateway']));
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toBe(md5('payment-gateway'));
    expect(a.variant).toBe('custom');
    expect(a.hashes).toEqual([a.hash]);
    expect(a.variants.app.contributes).toBe(false);
    expect(a.variants.custom).toMatchObject({ type: 'custom', values: ['payment-gateway'] });
  });

  it('{{ default }} alone is the normal grouping', () => {
    expect(group(node('CardError', ['{{ default }}'])).hash).toBe(group(node('CardError')).hash);
    expect(group(node('CardError', ['{{default}}'])).hash).toBe(group(node('CardError')).hash);
  });

  it('hybrid: {{ default }} plus extra values splits the normal group by those values', () => {
    const plain = group(node('CardError'));
    const a = group(node('CardError', ['{{ default }}', 'tenant-a']));
    const b = group(node('CardError', ['{{ default }}', 'tenant-b']));
    expect(a.hash).not.toBe(b.hash);
    expect(a.hash).not.toBe(plain.hash);
    expect(a.hash).toBe(md5('CardError', 'src:pay', 'charge', 'tenant-a'));
    expect(a.variants.app).toMatchObject({ type: 'hybrid', values: ['{{ default }}', 'tenant-a'] });
    expect(group(node('TimeoutError', ['{{ default }}', 'tenant-a'])).hash).not.toBe(a.hash);
  });

  it('resolves variables, with Sentry fallbacks for missing data', () => {
    const g = group(node('CardError', ['{{ type }}', '{{ transaction }}', '{{ tags.tenant }}', '{{ function }}', '{{ module }}', '{{ level }}', '{{ logger }}', '{{ message }}', '{{ tags.nope }}', '{{ bogus }}', '{{ stack.filename }}', '{{ package }}']));
    expect(g.variants.custom.values).toEqual([
      'CardError', 'POST /pay', 'acme', 'charge', 'src:pay', 'error', 'payments', 'card declined 4242',
      '<no-value-for-tag-nope>', '<unrecognized-variable-bogus>', '/app/src/pay.js', '<no-package>',
    ]);
    const empty = group({ fingerprint: ['{{ transaction }}', '{{ type }}', '{{ value }}', '{{ function }}', '{{ path }}', '{{ message }}'] });
    expect(empty.variants.custom.values).toEqual(['<no-transaction>', '<no-type>', '<no-value>', '<no-function>', '<no-abs-path>', '<no-message>']);
  });

  it('hybrid with nothing to group on falls back', () => {
    expect(group({ fingerprint: ['{{ default }}', 'x'] }).hash).toBe(FALLBACK_HASH);
  });
});

describe('result shape and stability', () => {
  it('reports the version, the primary hash first and unique hashes', () => {
    const g = group(pythonEvent());
    expect(g.version).toBe(GROUPING_VERSION);
    expect(GROUPING_VERSION).toBe('faultline:1');
    expect(g.hashes[0]).toBe(g.hash);
    expect(new Set(g.hashes).size).toBe(g.hashes.length);
    expect(g.variants[g.variant].hash).toBe(g.hash);
  });

  it('keeps the components that made the hash, with hints for what was ignored', () => {
    const g = group(pythonEvent());
    const json = JSON.stringify(g.variants.app.component);
    expect(json).toContain('ignored because stacktrace takes precedence');
    expect(json).toContain('non app frame');
    expect(JSON.parse(JSON.stringify(g))).toEqual(g); // plain JSON
  });

  it('is deterministic and survives re-normalizing the stored event', () => {
    const ev = normalizeEvent(pythonEvent(), { receivedAt: new Date('2024-05-01T12:00:00Z') });
    const again = normalizeEvent(JSON.parse(JSON.stringify(ev)), { receivedAt: new Date('2024-05-01T12:00:00Z') });
    expect(groupEvent(again)).toEqual(groupEvent(ev));
  });

  // Pinned: any change to what grouping hashes must fail here and bump GROUPING_VERSION.
  it('pins the hashes of faultline:1', () => {
    const g = group(pythonEvent());
    expect([g.hash, g.variants.system.hash]).toEqual(['0ad3534cdb6ce12f5ce5347066544415', '30700cfc9a3e7c4bee40e0f955aa767f']);
    // ...which is exactly the §6 recipe: type + (module, function, context line) per frame.
    expect(g.variants.system.hash).toBe(md5(
      'KeyError',
      'django.core.handlers.base', '_get_response', 'response = wrapped_callback(request, *callback_args, **callback_kwargs)',
      'app.views', 'handler', "return get_user(request.GET['uid'])",
      'app.views', 'get_user', 'return USERS[uid]',
    ));
  });
});
