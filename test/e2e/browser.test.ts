// The UI in a real browser (Debian's Chromium through playwright-core) against the server started as a
// process: sign in, onboarding, real @sentry/node events appear grouped, search narrows the stream,
// open an issue and read its stack trace, resolve it, a new event makes it regress, assign it, create
// a project and copy its DSN, hostile event strings stay text. Screenshots of every screen go to
// test-results/screenshots/ (look at them after UI changes).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAIL_LOOKBACK_MS } from '../../server/api/logs.ts';
import { buildWeb, needsBuild } from '../../web/build.ts';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/process.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'test-results/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EMAIL = 'ui@example.com';
const PASSWORD = 'browser-test-password';

let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base = '';
let dataDir = '';
let dsn = '';
const dialogs: string[] = [];

async function shot(name: string, p: Page = page) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function store(event: Record<string, unknown>) {
  const u = new URL(dsn);
  const res = await fetch(`${base}/api${u.pathname}/store/?sentry_key=${u.username}`, { method: 'POST', body: JSON.stringify(event) });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (.ci/run does it)`);
  if (needsBuild()) await buildWeb({ quiet: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-ui-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServerProcess({ FAULTLINE_DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base, FAULTLINE_ADMIN_EMAIL: EMAIL, FAULTLINE_ADMIN_PASSWORD: PASSWORD });
  dsn = server.dsn;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe.sequential('the web UI', () => {
  it('signs in, with a clear error for a wrong password', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Email').waitFor();
    await shot('01-sign-in');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid|incorrect|wrong/i);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Send your first event').waitFor();
  });

  it('shows the DSN with snippets on an empty project', async () => {
    await expect.poll(() => page.getByTestId('dsn').textContent()).toBe(dsn);
    await shot('02-onboarding');
  });

  it('switches to the stream by itself when real @sentry/node events arrive, grouped', async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'test/e2e/send-with-sentry-node.mjs'), dsn.replace('localhost', '127.0.0.1'), '4'], { cwd: ROOT, timeout: 30_000 });
    expect(stdout).toContain('flushed');
    await store({ message: 'Disk almost full on db-1', level: 'warning', environment: 'staging' });
    await page.getByText('Invoice', { exact: false }).first().waitFor({ timeout: 30_000 });
    await expect.poll(async () => page.locator('.issue-row').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    const row = page.locator('.issue-row', { hasText: 'TypeError' });
    await expect.poll(() => row.locator('.num').first().textContent()).toBe('4');
    await shot('03-stream');
  });

  it('narrows the stream with the search box, and the URL reproduces the view', async () => {
    await page.getByLabel('Search issues').fill('is:unresolved level:warning');
    await page.getByLabel('Search issues').press('Enter');
    await expect.poll(() => page.locator('.issue-row').count()).toBe(1);
    await expect(page.locator('.issue-row').first().textContent()).resolves.toContain('Disk almost full');
    expect(new URL(page.url()).searchParams.get('query')).toBe('is:unresolved level:warning');
    const other = await context.newPage();
    await other.goto(page.url());
    await expect.poll(() => other.locator('.issue-row').count()).toBe(1);
    await other.close();
    await shot('04-search');
    await page.getByLabel('Search issues').fill('is:unresolved');
    await page.getByLabel('Search issues').press('Enter');
    await expect.poll(() => page.locator('.issue-row').count()).toBeGreaterThanOrEqual(3);
  });

  it('opens an issue with the keyboard and shows its stack trace', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const index = await page.locator('.issue-row').evaluateAll((rows) => rows.findIndex((r) => r.textContent?.includes('TypeError')));
    for (let i = 0; i < index; i++) await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'TypeError' }).waitFor();
    await page.getByText('loadInvoice').first().waitFor();
    // 'loadInvoice' is in the header's culprit too, which shows before the event: wait for the frames.
    await page.locator('.frame.in-app').first().waitFor();
    await page.locator('.context .cur').first().waitFor();
    await shot('05-issue-detail');
  });

  it('resolves it, and a new event makes it regress', async () => {
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.getByText('resolved', { exact: true }).first().waitFor();
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'test/e2e/send-with-sentry-node.mjs'), dsn.replace('localhost', '127.0.0.1'), '1'], { cwd: ROOT, timeout: 30_000 });
    expect(stdout).toContain('flushed');
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('.detail-head').textContent();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toContain('regressed');
    await page.getByText('Regressed').first().waitFor();
  });

  it('assigns it to me', async () => {
    await page.getByRole('button', { name: /Assign/ }).click();
    await page.getByRole('menu').getByRole('button', { name: 'Me', exact: true }).click();
    await page.getByText(/assigned to/i).first().waitFor();
    await shot('06-issue-assigned');
  });

  it('creates a project and shows its DSN to copy', async () => {
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByLabel('New project (one per service)').fill('billing-api');
    await page.getByRole('button', { name: 'Create project' }).click();
    const panel = page.locator('.panel', { has: page.getByRole('heading', { name: 'billing-api' }) });
    await panel.locator('.dsn code').first().waitFor();
    const newDsn = await panel.locator('.dsn code').first().textContent();
    expect(newDsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await panel.getByRole('button', { name: 'Copy' }).first().click();
    await panel.getByRole('button', { name: 'Copied' }).first().waitFor();
    await shot('07-settings-projects');
  });

  it('shows hostile event strings as text and runs none of them', async () => {
    const hostile = '<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">';
    await store({
      exception: { values: [{ type: 'XssProbe', value: `${hostile} ${'long '.repeat(2000)}`, stacktrace: { frames: [{ function: '<img src=x onerror=alert(3)>', filename: 'javascript:alert(4)', context_line: hostile, lineno: 1, in_app: true }] } }] },
      tags: { '<b>tag</b>': hostile, link: 'javascript:alert(5)' },
      user: { email: hostile, id: 'javascript:alert(6)' },
      breadcrumbs: [{ message: hostile, category: '<script>' }],
      request: { url: 'javascript:alert(7)', headers: { 'x-evil': hostile } },
    });
    await page.goto(`${base}/organizations/faultline/issues/?query=XssProbe`);
    await page.locator('.issue-row').first().waitFor({ timeout: 20_000 });
    await page.locator('.issue-row').first().click();
    await page.getByRole('heading', { name: 'XssProbe' }).waitFor();
    await page.locator('.frame-head').first().click();
    await page.getByText('<script>window.__xss=1', { exact: false }).first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await shot('08-hostile-strings');
  });

  it('explores logs: histogram, records, patterns, live tail, and links between a trace\'s errors and logs', async () => {
    const u = new URL(dsn);
    const trace = 'a3f1c0ffee0ddba11a3f1c0ffee0ddba';
    let lastPost = 0;
    const postLogs = async (logs: unknown[]) => {
      const res = await fetch(`${base}/api${u.pathname}/logs/?sentry_key=${u.username}`, { method: 'POST', body: JSON.stringify({ logs }) });
      expect(res.status).toBe(200);
      lastPost = Date.now();
    };
    // The tail starts TAIL_LOOKBACK_MS back: records posted just before would show in it at once, and
    // the test could not see it waiting for new ones.
    const startLiveTail = async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, lastPost + TAIL_LOOKBACK_MS + 500 - Date.now())));
      await page.getByRole('button', { name: 'Live tail' }).click();
    };
    await postLogs(
      Array.from({ length: 12 }, (_, i) => ({
        level: i % 4 === 0 ? 'error' : 'info',
        body: `Checkout ${2000 + i} took ${30 + i}ms for cart of ${i + 1} items`,
        trace_id: trace,
        attributes: { 'http.route': '/checkout', attempt: i },
      })),
    );
    await store({ exception: { values: [{ type: 'TraceLinkedError', value: 'card declined' }] }, contexts: { trace: { trace_id: trace, span_id: 'b0b0b0b0b0b0b0b0' } } });
    await page.goto(`${base}/organizations/faultline/logs/`);
    await page.locator('.log-row').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('.log-row').count()).toBeGreaterThanOrEqual(12);
    await page.locator('.u-over').first().waitFor();
    await shot('12-logs');
    await page.locator('.log-line', { hasText: 'Checkout 2004' }).click();
    await page.getByText('http.route').waitFor();
    await page.getByRole('link', { name: 'Errors of this trace' }).first().click();
    await page.locator('.issue-row', { hasText: 'TraceLinkedError' }).waitFor({ timeout: 20_000 });
    await page.locator('.issue-row', { hasText: 'TraceLinkedError' }).click();
    await page.getByRole('link', { name: 'Logs of this trace' }).click();
    await expect.poll(() => page.locator('.log-row').count(), { timeout: 20_000 }).toBe(12);
    await page.getByRole('link', { name: 'Patterns' }).click();
    const pattern = page.locator('.pattern-row', { hasText: 'Checkout' });
    await pattern.waitFor();
    await expect(pattern.locator('.num').textContent()).resolves.toBe('12');
    await shot('13-log-patterns');
    await pattern.click();
    await expect.poll(() => page.locator('.log-row').count()).toBe(12);
    expect(new URL(page.url()).searchParams.get('query')).toMatch(/^pattern:\d+$/);
    await startLiveTail();
    await page.getByText('Waiting for new records').waitFor();
    await page.getByLabel('Search logs').fill('');
    await postLogs([{ level: 'warn', body: 'Live line for the tail', trace_id: trace }]);
    await page.goto(`${base}/organizations/faultline/logs/`);
    await startLiveTail();
    await page.getByText('Waiting for new records').waitFor();
    await postLogs([{ level: 'warn', body: 'Live line for the tail, second' }]);
    await page.getByText('Live line for the tail, second').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await postLogs([{ level: 'warn', body: 'Arrives while paused' }]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await page.getByText('Arrives while paused').count()).toBe(0);
    await shot('14-logs-live');
  });

  it('works at 390 px wide and in dark mode', async () => {
    const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', storageState: await context.storageState() });
    const m = await mobile.newPage();
    await m.goto(`${base}/organizations/faultline/issues/`);
    await m.locator('.issue-row').first().waitFor();
    await shot('09-stream-390-dark', m);
    const overflow = await m.evaluate(() => {
      const wide = [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1).map((el) => `${el.tagName}.${el.className}`);
      return { by: document.documentElement.scrollWidth - window.innerWidth, wide: wide.slice(0, 8) };
    });
    expect(overflow.by, JSON.stringify(overflow.wide)).toBeLessThanOrEqual(1);
    await m.locator('.issue-row').first().click();
    await m.locator('.detail-head').waitFor();
    await shot('10-detail-390-dark', m);
    expect(await m.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    // Settings: a project's DSN scrolls inside its row instead of widening the page; form fields get a line each.
    await m.goto(`${base}/settings/faultline/projects`);
    await m.locator('.key-row .dsn code').first().waitFor();
    await shot('10b-settings-projects-390-dark', m);
    expect(await m.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    const disable = await m.getByRole('button', { name: 'Disable' }).first().boundingBox();
    expect(disable!.x + disable!.width).toBeLessThanOrEqual(390);
    await m.goto(`${base}/settings/faultline/people`);
    const email = await m.getByLabel('Email').boundingBox();
    expect(email!.width).toBeGreaterThan(300);
    await mobile.close();
    const dark = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark', storageState: await context.storageState() });
    const d = await dark.newPage();
    await d.goto(`${base}/organizations/faultline/issues/`);
    await d.locator('.issue-row').first().waitFor();
    await shot('11-stream-dark', d);
    await dark.close();
  });
});
