// The browser build in Debian's Chromium (playwright-core). Against a recorder on another origin: the
// wire format a browser must use (no CORS preflight: auth in the query string, a text/plain body),
// unhandled errors and rejections, breadcrumbs (console, click, navigation, fetch, XHR) and logs sent
// with keepalive when the page goes away. Against the real server started as a process: a page using
// the ESM build throws, and the issue shows up in the UI with its stack trace.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, needsBuild } from '../../web/build.ts';
import { build } from '../../sdk/build.mjs';
import { startRecorder } from '../../sdk/test/helpers.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EMAIL = 'sdk-ui@example.com';
const PASSWORD = 'sdk-browser-test-password';

let tmp = '';
let browser: Browser;
let pages: http.Server;
let pageBase = '';

function page(sdk: 'iife' | 'esm', dsn: string): string {
  const boot =
    sdk === 'iife'
      ? `<script src="/sdk/faultline.min.js"></script><script>Faultline.init({ dsn: ${JSON.stringify(dsn)}, release: 'web@1.0.0', environment: 'e2e', logFlushInterval: 60000 });</script>`
      : `<script type="module">import * as Faultline from '/sdk/browser.mjs'; window.Faultline = Faultline; Faultline.init({ dsn: ${JSON.stringify(dsn)}, release: 'web@1.0.0', environment: 'e2e' }); document.body.dataset.sdk = 'ready';</script>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head><body>
<button id="buy" class="primary big" name="buy">Buy</button> <button id="load">Load</button> <button id="reject">Reject</button> <button id="log">Log</button>
${boot}
<script src="/app.js" ${sdk === 'esm' ? 'type="module"' : ''}></script></body></html>`;
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-sdk-browser-'));
  await build({ outdir: tmp, quiet: true, types: false });
  const app = fs.readFileSync(path.join(ROOT, 'sdk/test/apps/browser-app.js'));
  // The page's own origin: serves the page, the SDK build and a small API for fetch/XHR breadcrumbs.
  pages = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/sdk/')) {
      const file = path.join(tmp, path.basename(url.pathname));
      if (!fs.existsSync(file)) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(file));
    }
    if (url.pathname === '/app.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
    if (url.pathname.startsWith('/api/')) return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    const sdk = url.searchParams.get('sdk') === 'esm' ? 'esm' : 'iife';
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(sdk, url.searchParams.get('dsn') ?? ''));
  });
  await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
  pageBase = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (pages ? pages.close(() => r()) : r()));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the browser build against a recorder on another origin', () => {
  it('sends unhandled errors and rejections with breadcrumbs, as simple CORS requests, and logs on pagehide', async () => {
    const rec = await startRecorder();
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const pageErrors: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await p.goto(`${pageBase}/?dsn=${encodeURIComponent(rec.dsn)}`);
      await p.click('#load');
      await p.waitForSelector('body[data-loaded="yes"]');
      await p.click('#buy');
      await p.click('#reject');
      await p.click('#log');
      await rec.waitFor(() => rec.items('event').length >= 2);

      const events = rec.items('event').map((i) => i.payload);
      const click = events.find((e) => e.exception.values[0].type === 'PaymentError');
      const [exc] = click.exception.values;
      expect(exc.value).toBe('Card declined for order 2001');
      expect(exc.mechanism).toEqual({ type: 'auto.browser.global_handlers.onerror', handled: false });
      // V8 names a listener after the element it runs on, as @sentry/browser reports it too.
      expect(exc.stacktrace.frames.slice(-4).map((f: { function: string }) => f.function)).toEqual(['HTMLButtonElement.onBuyClick', 'checkout', 'processPayment', 'chargeCard']);
      expect(exc.stacktrace.frames.at(-1)).toMatchObject({ filename: `${pageBase}/app.js`, in_app: true, lineno: 10 });
      expect(click).toMatchObject({ platform: 'javascript', level: 'error', release: 'web@1.0.0', environment: 'e2e', sdk: { name: 'faultline.javascript.browser' } });
      expect(click.request.url).toBe(`${pageBase}/checkout`);
      expect(click.request.headers['User-Agent']).toContain('Chrome');
      const crumbs = click.breadcrumbs.map((b: { category: string; message?: string; data?: Record<string, unknown> }) => [b.category, b.message ?? b.data]);
      expect(crumbs).toEqual([
        ['ui.click', 'body > button#load'],
        ['console', 'loading {"items":2}'],
        ['fetch', { method: 'GET', url: '/api/data', status_code: 200 }],
        ['xhr', { method: 'GET', url: '/api/items', status_code: 200 }],
        ['navigation', { from: `/?dsn=${encodeURIComponent(rec.dsn)}`, to: '/checkout' }],
        ['ui.click', 'body > button#buy.primary.big[name="buy"]'],
      ]);

      const rejection = events.find((e) => e.exception.values[0].value === 'Rejected promise for job 78');
      expect(rejection.exception.values[0].mechanism).toEqual({ type: 'auto.browser.global_handlers.onunhandledrejection', handled: false });

      // Leaving the page flushes the buffered log (its interval is a minute) with fetch keepalive.
      expect(rec.items('log')).toHaveLength(0);
      await p.goto('about:blank');
      await rec.waitFor(() => rec.items('log').length === 1);
      const [log] = rec.items('log')[0].payload.items;
      expect(log).toMatchObject({ body: 'Cart 7 viewed', level: 'info' });
      expect(log.attributes['sentry.message.template']).toEqual({ value: 'Cart %s viewed', type: 'string' });

      for (const r of rec.requests) {
        expect(r.method).toBe('POST'); // never an OPTIONS preflight
        expect(r.headers['content-type']).toBe('text/plain;charset=UTF-8');
        expect(r.headers['x-sentry-auth']).toBeUndefined();
        expect(new URL(r.url, rec.base).searchParams.get('sentry_key')).toBe('0123456789abcdef0123456789abcdef');
        expect(r.headers.origin).toBe(pageBase);
      }
      // The SDK's own requests made no fetch breadcrumbs (they would show in the second event).
      expect(JSON.stringify(events)).not.toContain('/envelope/');
      expect(pageErrors).toEqual(['Card declined for order 2001', 'Rejected promise for job 78']);
    } finally {
      await ctx.close();
      await rec.close();
    }
  });
});

describe('the browser build against the real server', () => {
  let server: ServerProcess;
  let dataDir = '';
  let base = '';
  beforeAll(async () => {
    if (needsBuild()) await buildWeb({ quiet: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-sdk-ui-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await startServerProcess({ FAULTLINE_DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base, FAULTLINE_ADMIN_EMAIL: EMAIL, FAULTLINE_ADMIN_PASSWORD: PASSWORD });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a page using the ESM build throws; the issue shows up in the UI with its stack trace', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const shop = await ctx.newPage();
      await shop.goto(`${pageBase}/?sdk=esm&dsn=${encodeURIComponent(server.dsn)}`);
      await shop.waitForSelector('body[data-sdk="ready"]');
      await shop.click('#buy');
      await shop.click('#buy');
      await shop.evaluate(() => (window as unknown as { Faultline: { flush(t: number): Promise<boolean> } }).Faultline.flush(5000));

      const ui = await ctx.newPage();
      await ui.goto(`${base}/`);
      await ui.getByLabel('Email').fill(EMAIL);
      await ui.getByLabel('Password').fill(PASSWORD);
      await ui.getByRole('button', { name: 'Sign in' }).click();
      // Signed in (reloading before the session exists would land on the sign-in form again).
      await ui.getByText('Sign out').waitFor({ timeout: 30_000 });
      const row = ui.locator('.issue-row', { hasText: 'PaymentError' });
      await expect
        .poll(
          async () => {
            if ((await row.count()) === 0) await ui.reload();
            return row.count();
          },
          { timeout: 30_000, interval: 1000 },
        )
        .toBe(1);
      await expect.poll(() => row.locator('.num').first().textContent(), { timeout: 15_000 }).toBe('2');
      await ui.screenshot({ path: path.join(SHOTS, 'sdk-browser-stream.png'), fullPage: true });
      await row.click();
      await ui.getByRole('heading', { name: 'PaymentError' }).waitFor();
      // The stack trace of the latest event: the page's frames, in app.
      await ui.locator('.frame.in-app', { hasText: 'processPayment' }).first().waitFor({ timeout: 30_000 });
      expect(await ui.locator('.frame.in-app', { hasText: 'chargeCard' }).count()).toBeGreaterThan(0);
      expect(await ui.getByText('Card declined for order 2001').count()).toBeGreaterThan(0);
      await ui.screenshot({ path: path.join(SHOTS, 'sdk-browser-issue.png'), fullPage: true });
    } finally {
      await ctx.close();
    }
  });
});
