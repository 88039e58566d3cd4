// Events shaped the way each official SDK sends them (protocol §5.3), grouped end to end.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../server/pipeline/normalize.ts';
import { generateModule, groupEvent } from '../../server/pipeline/grouping/index.ts';
import { trimNativeFunctionName } from '../../server/pipeline/grouping/frame.ts';
import type { GroupingComponent } from '../../server/pipeline/grouping/index.ts';

const md5 = (...parts: string[]) => createHash('md5').update(parts.join(''), 'utf8').digest('hex');
const group = (raw: Record<string, unknown>) => groupEvent(normalizeEvent(raw, { receivedAt: new Date('2024-05-01T12:00:00Z') }));

/** All leaf values of contributing components, in order (what was hashed). */
function hashed(c: GroupingComponent | undefined): string[] {
  const out: string[] = [];
  const walk = (n: GroupingComponent) => {
    if (!n.contributes) return;
    for (const v of n.values) typeof v === 'string' ? out.push(v) : walk(v);
  };
  if (c) walk(c);
  return out;
}

// @sentry/node 8+: module derived from the path, context lines from the ContextLines integration.
function nodeEvent(o: { value?: string; line?: number; fn?: string } = {}) {
  const line = o.line ?? 6;
  return {
    event_id: '7f606671db89476a81a16292335553aa', platform: 'node', level: 'error', timestamp: 1714564799.5,
    exception: { values: [{
      type: 'TypeError', value: o.value ?? "Cannot read properties of undefined (reading 'name')",
      mechanism: { type: 'auto.middleware.express', handled: false },
      stacktrace: { frames: [
        { filename: 'node:internal/process/task_queues', module: 'task_queues', function: 'process.processTicksAndRejections', lineno: 95, colno: 5, in_app: false },
        { filename: '/app/node_modules/express/lib/router/layer.js', module: 'express.lib.router:layer', function: 'Layer.handle [as handle_request]', lineno: 95, colno: 5, in_app: false },
        { filename: '/app/src/routes/users.js', module: 'src.routes:users', function: 'Object.show', lineno: line, colno: 22, in_app: true,
          pre_context: ['router.get("/:id", async (req, res) => {'], context_line: `  res.json(${o.fn ?? 'render'}(await load(req.params.id)));`, post_context: ['});'] },
        { filename: '/app/src/views/user.js', module: 'src.views:user', function: o.fn ?? 'render', lineno: line + 30, colno: 17, in_app: true,
          context_line: '  return { name: user.name };' },
      ] },
    }] },
    contexts: { runtime: { name: 'node', version: 'v20.11.0' } },
    sdk: { name: 'sentry.javascript.node', version: '8.10.0' },
  };
}

// @sentry/browser: full URLs, minified names, no context lines, every frame in_app.
function browserEvent(bundle: string, o: { col?: number; fn?: string; value?: string } = {}) {
  return {
    platform: 'javascript', level: 'error',
    exception: { values: [{
      type: 'TypeError', value: o.value ?? "Cannot read properties of null (reading 'price')",
      mechanism: { type: 'onerror', handled: false },
      stacktrace: { frames: [
        { filename: `https://shop.example.com/static/js/vendor.${bundle}.js`, function: 'HTMLButtonElement.r', lineno: 2, colno: 1411, in_app: true },
        { filename: `https://shop.example.com/static/js/main.${bundle}.js`, function: o.fn ?? 'Cart.onCheckout', lineno: 1, colno: o.col ?? 23456, in_app: true },
        { filename: `https://shop.example.com/static/js/main.${bundle}.js`, function: '?', lineno: 1, colno: (o.col ?? 23456) + 40, in_app: true },
      ] },
    }] },
    request: { url: 'https://shop.example.com/cart', headers: { 'User-Agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15' } },
    sdk: { name: 'sentry.javascript.browser', version: '8.10.0' },
  };
}

// sentry-go: exception as an array, module = package path, RFC 3339 timestamp with local offset.
function goEvent(value: string, line = 88) {
  return {
    platform: 'go', timestamp: '2024-05-01T13:59:58.123456789+02:00',
    exception: [{ type: '*fs.PathError', value, module: '', stacktrace: { frames: [
      { function: 'main', module: 'main', abs_path: '/src/shop/main.go', filename: 'main.go', lineno: 20, in_app: true },
      { function: '(*Store).Load', module: 'example.com/shop/orders', abs_path: '/src/shop/orders/store.go', filename: 'store.go', lineno: line, in_app: true },
      { function: 'Open', module: 'os', abs_path: '/usr/local/go/src/os/file.go', filename: 'file.go', lineno: 329, in_app: false },
    ] } }],
    sdk: { name: 'sentry.go', version: '0.28.0' },
  };
}

// sentry-ruby: blocks and ERB templates get generated names.
function rubyEvent(level: string, erbSuffix: string) {
  return {
    platform: 'ruby',
    exception: { values: [{ type: 'NoMethodError', value: "undefined method `name' for nil:NilClass", module: '', stacktrace: { frames: [
      { abs_path: '/app/app/controllers/orders_controller.rb', filename: 'app/controllers/orders_controller.rb', function: `block ${level}in show`, lineno: 12, in_app: true, context_line: '    @orders.each { |o| render_order(o) }' },
      { abs_path: '/app/app/views/orders/show.html.erb', filename: 'app/views/orders/show.html.erb', function: `_app_views_orders_show_html_erb${erbSuffix}`, lineno: 3, in_app: true, context_line: '<%= @order.user.name %>' },
    ] } }] },
  };
}

// sentry-java: module = class, generated proxy classes and lambdas.
function javaEvent(proxyHash: string, lambdaIndex: number) {
  return {
    platform: 'java',
    exception: { values: [
      { type: 'SQLException', value: 'Connection refused', module: 'java.sql', stacktrace: { frames: [
        { module: 'com.shop.db.Pool', function: 'connect', filename: 'Pool.java', lineno: 31, in_app: true },
      ] } },
      { type: 'IllegalStateException', value: 'Order 42 is closed', module: 'java.lang', mechanism: { type: 'UncaughtExceptionHandler', handled: false }, stacktrace: { frames: [
        { module: 'java.lang.Thread', function: 'run', filename: 'Thread.java', lineno: 833, in_app: false },
        { module: `com.shop.OrderService$$EnhancerBySpringCGLIB$$${proxyHash}`, function: 'close', filename: '<generated>', in_app: true },
        { module: 'com.shop.OrderService', function: `lambda$close$${lambdaIndex}`, filename: 'OrderService.java', lineno: 45, in_app: true },
        { module: 'com.shop.OrderService', function: 'check', filename: 'OrderService.java', lineno: 60, in_app: true },
      ] } },
    ] },
    threads: { values: [{ id: 1, name: 'main', crashed: true, current: true }] },
  };
}

describe('Node (@sentry/node)', () => {
  it('groups by module, function and context line of in-app frames', () => {
    const a = group(nodeEvent());
    expect(group(nodeEvent({ value: 'other text', line: 60 })).hash).toBe(a.hash);
    expect(group(nodeEvent({ fn: 'renderAdmin' })).hash).not.toBe(a.hash);
    expect(hashed(a.variants.app.component)).toEqual([
      'TypeError', 'src.routes:users', 'show', 'res.json(render(await load(req.params.id)));', 'src.views:user', 'render', 'return { name: user.name };',
    ]);
  });
});

describe('Browser (@sentry/browser)', () => {
  it('groups the same error across deploys: hashed bundle names give a stable module, columns are ignored', () => {
    const a = group(browserEvent('8f3a2b1c'));
    const b = group(browserEvent('0c9d8e7f', { col: 99999, value: "Cannot read properties of null (reading 'qty')" }));
    expect(b.hash).toBe(a.hash);
    expect(hashed(a.variants.app.component)).toEqual(['TypeError', 'vendor', 'r', 'main', 'onCheckout', 'main']);
    expect(group(browserEvent('8f3a2b1c', { fn: 'Cart.onRemove' })).hash).not.toBe(a.hash);
  });

  it('drops low-quality JS frames and anonymous names', () => {
    const ev = browserEvent('8f3a2b1c');
    (ev.exception.values[0].stacktrace.frames as Record<string, unknown>[]).push(
      { filename: '[native code]', function: 'Array.forEach', in_app: true },
      { filename: 'https://shop.example.com/static/js/main.8f3a2b1c.js', function: 'eval', in_app: true },
      { filename: 'https://shop.example.com/static/js/main.8f3a2b1c.js', function: '<anonymous>', in_app: true },
    );
    expect(hashed(group(ev).variants.app.component)).toEqual(['TypeError', 'vendor', 'r', 'main', 'onCheckout', 'main', 'main']);
  });

  it('ignores a lone frame without function from a URL, falling back to type + value', () => {
    const g = group({ platform: 'javascript', exception: [{ type: 'Error', value: 'Script error 7', stacktrace: { frames: [{ filename: 'https://x.com/a.js', in_app: true }] } }] });
    expect(g.hash).toBe(md5('Error', 'Script error <int>'));
  });

  it('derives modules from bundle URLs like Sentry', () => {
    expect(generateModule('http://x.com/js/v1.0/foo/bar/baz.js')).toBe('foo/bar/baz');
    expect(generateModule('https://cdn.example.com/static/js/main.8f3a2b1c.js')).toBe('main');
    expect(generateModule('https://example.com/assets/index-4f8a9b2c.js')).toBe('assets/index');
    expect(generateModule('https://x.com/_next/static/chunks/pages/index-abc1234def.js')).toBe('chunks/pages/index');
    expect(generateModule('https://x.com/d41d8cd98f00b204e9800998ecf8427e/app/main.js')).toBe('app/main');
    expect(generateModule('https://x.com/app.min.js?v=3#top')).toBe('app');
    expect(generateModule('app:///main.jsbundle')).toBe('main');
    expect(generateModule('webpack:///./src/components/Button.tsx')).toBe('src/components/Button');
    expect(generateModule('https://x.com/')).toBeNull();
  });
});

describe('Python (sentry-python)', () => {
  it('uses module over filename and collapses whitespace of context lines', () => {
    const ev = (indent: string) => ({ platform: 'python', exception: [{ type: 'ZeroDivisionError', value: 'division by zero', stacktrace: { frames: [
      { filename: 'app/math.py', abs_path: '/srv/app/math.py', module: 'app.math', function: 'ratio', context_line: `${indent}return a  /  b`, in_app: true },
    ] } }] });
    const g = group(ev('    '));
    expect(g.hash).toBe(group(ev('\t\t')).hash);
    expect(hashed(g.variants.app.component)).toEqual(['ZeroDivisionError', 'app.math', 'ratio', 'return a / b']);
  });

  it('does not group on context lines longer than 120 characters', () => {
    const long = (tail: string) => ({ platform: 'python', exception: [{ type: 'E', stacktrace: { frames: [
      { module: 'app.gen', function: 'f', context_line: `x = ${'1'.repeat(130)}${tail}`, in_app: true },
    ] } }] });
    expect(group(long('a')).hash).toBe(group(long('b')).hash);
  });
});

describe('Go (sentry-go)', () => {
  it('groups by package and function, not by the error text or line', () => {
    const a = group(goEvent('open /data/orders/42.json: no such file or directory'));
    expect(group(goEvent('open /data/orders/977.json: no such file or directory', 120)).hash).toBe(a.hash);
    expect(hashed(a.variants.app.component)).toEqual(['*fs.PathError', 'main', 'main', 'example.com/shop/orders', '(*Store).Load']);
  });
});

describe('Ruby (sentry-ruby)', () => {
  it('normalizes block names and generated ERB suffixes', () => {
    const a = group(rubyEvent('', '__1234567_98765432'));
    expect(group(rubyEvent('(2 levels) ', '__7654321_11111111')).hash).toBe(a.hash);
    expect(hashed(a.variants.app.component)).toEqual([
      'NoMethodError', 'orders_controller.rb', 'block', '@orders.each { |o| render_order(o) }', 'show.html.erb', '_app_views_orders_show_html_erb', '<%= @order.user.name %>',
    ]);
  });
});

describe('Java (sentry-java)', () => {
  it('cleans generated proxy classes, ignores lambdas and keeps the chain', () => {
    const a = group(javaEvent('a1b2c3d4', 0));
    expect(group(javaEvent('ffee0011', 3)).hash).toBe(a.hash);
    expect(hashed(a.variants.app.component)).toEqual([
      'SQLException', 'com.shop.db.Pool', 'connect',
      'IllegalStateException', 'com.shop.OrderService$$EnhancerBySpringCGLIB$$<auto>', 'close', 'com.shop.OrderService', 'com.shop.OrderService', 'check',
    ]);
    // A different cause makes a different issue.
    const other = javaEvent('a1b2c3d4', 0);
    other.exception.values[0].type = 'SQLTimeoutException';
    expect(group(other).hash).not.toBe(a.hash);
  });
});

describe('PHP and native', () => {
  it('ignores anonymous PHP functions and uses the method of anonymous classes', () => {
    const g = group({ platform: 'php', exception: [{ type: 'Error', stacktrace: { frames: [
      { filename: 'src/A.php', function: '{closure}', in_app: true },
      { filename: 'src/B.php', function: '[Anonymous function]', in_app: true },
      { filename: 'src/C.php', function: 'class@anonymous/src/C.php:3$0::handle', in_app: true },
    ] } }] });
    expect(hashed(g.variants.app.component)).toEqual(['Error', 'a.php', '{closure}', 'b.php', 'c.php', 'handle']);
  });

  it('trims C++ signatures to the function name', () => {
    expect(trimNativeFunctionName('int foo::bar<T>(int, char const*) const')).toBe('foo::bar');
    expect(trimNativeFunctionName('std::vector<int>::push_back(int&&)')).toBe('std::vector::push_back');
    expect(trimNativeFunctionName('main')).toBe('main');
    const g = group({ platform: 'native', exception: [{ type: 'EXC_BAD_ACCESS', stacktrace: { frames: [
      { function: 'void Game::tick(float)', package: '/app/Game', in_app: true },
      { function: '<unknown>', in_app: true },
    ] } }] });
    expect(hashed(g.variants.app.component)).toEqual(['EXC_BAD_ACCESS', 'Game::tick']);
  });
});

describe('pinned hashes (faultline:1)', () => {
  // Literal values: if any of these change, grouping changed and GROUPING_VERSION must be bumped.
  it.each([
    ['node', () => group(nodeEvent()), 'b813411d3257d2a2ebf3cabecb1592d6'],
    ['browser', () => group(browserEvent('8f3a2b1c')), 'cb338ca48963e71272dad784ad4d5639'],
    ['go', () => group(goEvent('x')), '5fc3c2ae7ccc041a738c629c27088d13'],
    ['ruby', () => group(rubyEvent('', '__1234567_98765432')), 'effd0c06ac31d438d113315f3c77f3f7'],
    ['java', () => group(javaEvent('a1b2c3d4', 0)), '9c65de0e40efdda7f769aee40f2bb010'],
  ])('%s', (_name, make, want) => {
    expect(make().hash).toBe(want);
  });
});
