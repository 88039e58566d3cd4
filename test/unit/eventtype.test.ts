import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../server/pipeline/normalize.ts';
import { eventDisplay, eventTags, userKey } from '../../server/pipeline/eventtype.ts';

const norm = (raw: Record<string, unknown>, clientIp?: string) =>
  normalizeEvent(raw, { receivedAt: new Date('2024-05-01T12:00:00Z'), clientIp });
const display = (raw: Record<string, unknown>) => eventDisplay(norm(raw));

const frames = (list: Record<string, unknown>[]) => ({ frames: list });

describe('titles and culprits per platform', () => {
  it('Node: "Type: value" and "function(module)" of the last in-app frame', () => {
    const d = display({ platform: 'node', exception: [{ type: 'TypeError', value: "Cannot read properties of undefined (reading 'name')", stacktrace: frames([
      { filename: '/app/node_modules/express/lib/router/layer.js', module: 'express.lib.router:layer', function: 'Layer.handle', in_app: false },
      { filename: '/app/src/views/user.js', module: 'src.views:user', function: 'render', in_app: true },
      { filename: 'node:internal/util', module: 'util', function: 'deprecate', in_app: false },
    ]) }] });
    expect(d).toEqual({
      type: 'error',
      title: "TypeError: Cannot read properties of undefined (reading 'name')",
      culprit: 'render(src.views:user)',
      metadata: { type: 'TypeError', value: "Cannot read properties of undefined (reading 'name')", filename: '/app/src/views/user.js', function: 'render' },
      location: '/app/src/views/user.js',
      message: "TypeError: Cannot read properties of undefined (reading 'name')",
    });
  });

  it('Python, Java, Go: "module in function"', () => {
    expect(display({ platform: 'python', exception: [{ type: 'KeyError', value: "'user_42'", stacktrace: frames([
      { module: 'app.views', filename: 'app/views.py', function: 'handler', in_app: true },
      { module: 'app.views', filename: 'app/views.py', function: 'get_user', in_app: true },
    ]) }] })).toMatchObject({ title: "KeyError: 'user_42'", culprit: 'app.views in get_user' });
    expect(display({ platform: 'java', exception: [{ type: 'IllegalStateException', value: 'closed', stacktrace: frames([
      { module: 'com.shop.OrderService', function: 'check', filename: 'OrderService.java', in_app: true },
      { module: 'java.util.Objects', function: 'requireNonNull', filename: 'Objects.java', in_app: false },
    ]) }] })).toMatchObject({ title: 'IllegalStateException: closed', culprit: 'com.shop.OrderService in check' });
    expect(display({ platform: 'go', exception: [{ type: '*errors.errorString', value: 'boom', stacktrace: frames([
      { module: 'example.com/shop/orders', function: '(*Store).Load', filename: 'store.go', in_app: true },
    ]) }] })).toMatchObject({ culprit: 'example.com/shop/orders in (*Store).Load' });
  });

  it('Browser: the module derived from the bundle URL, "?" for anonymous functions', () => {
    const d = display({ platform: 'javascript', exception: [{ type: 'TypeError', value: 'x is null', stacktrace: frames([
      { filename: 'https://shop.example.com/static/js/main.8f3a2b1c.js', function: 'Cart.onCheckout', in_app: true },
      { filename: 'https://shop.example.com/static/js/main.8f3a2b1c.js', function: '?', in_app: true },
    ]) }] });
    expect(d.culprit).toBe('?(main)');
    expect(d.metadata.function).toBe('Cart.onCheckout');
  });

  it('Ruby: "file in function"; Cocoa/native: the function', () => {
    expect(display({ platform: 'ruby', exception: [{ type: 'NoMethodError', value: 'undefined method', stacktrace: frames([
      { filename: 'app/models/order.rb', function: 'total', in_app: true },
    ]) }] }).culprit).toBe('app/models/order.rb in total');
    expect(display({ platform: 'cocoa', exception: [{ type: 'EXC_BAD_ACCESS', stacktrace: frames([{ function: '-[Cart checkout]', in_app: true }]) }] }).culprit).toBe('-[Cart checkout]');
  });

  it('the transaction wins over the frames; the request URL is the last resort', () => {
    const withTx = display({ platform: 'node', transaction: 'GET /users/:id', exception: [{ type: 'E', stacktrace: frames([{ module: 'a', function: 'b', in_app: true }]) }] });
    expect(withTx.culprit).toBe('GET /users/:id');
    expect(display({ exception: [{ type: 'E', value: 'v' }], request: { url: 'https://x.com/pay?card=1' } }).culprit).toBe('https://x.com/pay');
  });

  it('synthetic exceptions (captureMessage with a stack) get no culprit and are titled by their message', () => {
    const d = display({ platform: 'node', message: 'Payment 991 declined', exception: [{ value: 'Payment 991 declined', mechanism: { type: 'generic', synthetic: true }, stacktrace: frames([
      { filename: '/app/pay.js', module: 'pay', function: '?', in_app: true, context_line: "Sentry.captureMessage('Payment 991 declined');" },
    ]) }] });
    expect(d).toMatchObject({ type: 'error', title: 'Payment 991 declined', culprit: '', message: 'Payment 991 declined' });
    expect(d.metadata.type).toBeUndefined();
  });

  it('truncates the value in the title to its first line and 100 characters', () => {
    const d = display({ exception: [{ type: 'ValueError', value: `${'x'.repeat(150)}\nsecond line` }] });
    expect(d.title).toBe(`ValueError: ${'x'.repeat(97)}...`);
    expect(d.metadata.value).toHaveLength(162);
    expect(display({ exception: [{ type: 'E' }] }).title).toBe('E');
  });

  it('titles wrapper exceptions by what they wrap (RxJava, React 19)', () => {
    expect(display({ exception: [{ type: 'NullPointerException', value: 'x' }, { type: 'io.reactivex.exceptions.OnErrorNotImplementedException', value: 'x' }] }).title).toBe('NullPointerException: x');
    expect(display({ exception: [{ type: 'TypeError', value: 'a is undefined' }, { type: 'Error', value: 'There was an error during concurrent rendering but React was able to recover' }] }).title).toBe('TypeError: a is undefined');
  });

  it('default (message) events: first line of the message, or <unlabeled event>', () => {
    expect(display({ message: 'Payment 991 declined\ncard=4242' })).toEqual({
      type: 'default', title: 'Payment 991 declined', culprit: '', metadata: { title: 'Payment 991 declined' }, location: null, message: 'Payment 991 declined\ncard=4242',
    });
    expect(display({ logentry: { message: 'User %s failed', params: ['bob'] } }).title).toBe('User bob failed');
    expect(display({}).title).toBe('<unlabeled event>');
    expect(display({ message: 'm'.repeat(300) }).title).toHaveLength(100);
  });
});

describe('tags', () => {
  const ev = () => norm({
    platform: 'javascript', level: 'warning', environment: 'production', release: 'shop@1.2.3', dist: '7', server_name: 'edge-1',
    logger: 'console', transaction: '/checkout',
    tags: { level: 'custom-should-lose', feature: 'checkout', long: 'v'.repeat(500) },
    contexts: { runtime: { name: 'node', version: 'v20.11.0' }, device: { model: 'iPhone15,2', family: 'iPhone' }, trace: { trace_id: '0af7651916cd43dd8448eb211c80319c' } },
    request: { url: 'https://shop.example.com/checkout?step=2', headers: { 'User-Agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1' } },
    user: { email: 'ann@example.com' },
    exception: [{ type: 'E', mechanism: { type: 'onunhandledrejection', handled: false } }],
  }, '203.0.113.9');

  it('adds the derived tags Sentry indexes, derived values winning over the event', () => {
    expect(Object.fromEntries(eventTags(ev()))).toEqual({
      level: 'warning', feature: 'checkout', long: 'v'.repeat(200),
      environment: 'production', release: 'shop@1.2.3', dist: '7', server_name: 'edge-1', logger: 'console', transaction: '/checkout',
      url: 'https://shop.example.com/checkout',
      os: 'iOS 17.1', 'os.name': 'iOS', browser: 'Mobile Safari 17.1', 'browser.name': 'Mobile Safari',
      runtime: 'node v20.11.0', 'runtime.name': 'node', device: 'iPhone15,2', 'device.family': 'iPhone',
      trace: '0af7651916cd43dd8448eb211c80319c', handled: 'no', mechanism: 'onunhandledrejection', user: 'email:ann@example.com',
    });
  });

  it('has unique keys and bounded values', () => {
    const tags = eventTags(ev());
    expect(new Set(tags.map(([k]) => k)).size).toBe(tags.length);
    for (const [k, v] of tags) {
      expect(k.length).toBeLessThanOrEqual(200);
      expect(v.length).toBeGreaterThan(0);
      expect(v.length).toBeLessThanOrEqual(200);
    }
  });

  it('marks handled errors', () => {
    expect(eventTags(norm({ exception: [{ type: 'E', mechanism: { type: 'generic', handled: true } }] }))).toContainEqual(['handled', 'yes']);
    expect(eventTags(norm({ message: 'x' })).map(([k]) => k)).toEqual(['level']);
  });
});

describe('userKey', () => {
  it('prefers id, then email, username, ip', () => {
    expect(userKey(norm({ user: { id: 42, email: 'a@b.c' } }))).toBe('id:42');
    expect(userKey(norm({ user: { email: 'a@b.c', username: 'ann' } }))).toBe('email:a@b.c');
    expect(userKey(norm({ user: { username: 'ann', ip_address: '10.0.0.1' } }))).toBe('username:ann');
    expect(userKey(norm({ user: { ip_address: '{{auto}}' } }, '10.0.0.2'))).toBe('ip:10.0.0.2');
    expect(userKey(norm({}))).toBeNull();
  });
});
