// The UI side of `npm run bench`: first load of the issue stream in a real browser on 10,000 issues.
// Goal (the web UI issue): first load of the stream ≤ 1 s on this machine.
//
// Seeds a Postgres database with bench/seed.ts (10,000 issues; fewer events than the read bench, since
// the stream reads issues, issue_stats and issue_tags, not events), builds the UI if needed, starts the
// real server (`serve --role web`) on it, signs in once through the sign-in form in headless Chromium
// (playwright-core, Debian's /usr/bin/chromium) and then measures, from navigation start:
//   - the stream, cold: a new browser context each time (empty HTTP cache, the session cookie only);
//   - the stream, warm: one context, the same page loaded again (hashed assets from the HTTP cache);
//   - an issue's detail page, cold and warm.
// "Loaded" is the first animation frame in which the first page of rows is in the DOM with every row's
// sparkline canvas drawn (for the detail page: its header and events chart), timed inside the page
// against performance.timeOrigin (navigation start), so no test-runner round trip counts. Where the
// time goes, from Resource Timing: the document received, the app's first API request (its scripts
// fetched, parsed and run), the session answered, the issue list (or the issue) sent and back, and
// render (from that response to the frame with the rows), with the script bytes transferred.
//
// Settings (environment): BENCH_UI_RUNS (20 per kind), BENCH_UI_EVENTS (200,000 seeded events; the
// issues are always 10,000), BENCH_UI_DATABASE_URL (an already seeded database to reuse; not dropped),
// BENCH_UI_SHOTS (a directory: screenshots of the stream at 1280 and 390 px are saved there),
// BENCH_UI_VERBOSE (print every load's time), CHROMIUM_PATH (/usr/bin/chromium).
// Run alone: `node --import tsx bench/ui.ts`.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { connectPostgres } from '../server/db/url.ts';
import { buildWeb, needsBuild } from '../web/build.ts';
import { freePort, startServerProcess, type ServerProcess } from '../test/helpers/process.ts';
import { fmt, percentile, runAlone, table } from './harness.ts';
import { BENCH_ORG, BENCH_TOKEN, seedDatabase } from './seed.ts';

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 20);
/** Unmeasured loads first (the server's and Postgres's first-request costs). */
const WARMUP = 3;
const EVENTS = Number(process.env.BENCH_UI_EVENTS ?? 200_000);
const ISSUES = 10_000;
const GOAL_MS = 1000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The bootstrap admin of bench/seed.ts (testConfig's admin: default email, test password). */
const EMAIL = 'admin@faultline.local';
const PASSWORD = 'test-password-123';
/** Rows on the stream's first page (web/src/pages/IssueStream.tsx asks for limit=25). */
const PAGE_ROWS = 25;

/** What one load measured: moments in ms from navigation start, and sizes. */
interface LoadSample {
  /** The frame in which the view was complete. */
  visible: number;
  /** The document's response end. */
  html: number;
  /** The app's first API request: JS fetched, parsed, run (and the first render, for the session). */
  js: number;
  /** The session request answered. */
  session: number;
  /** The view's main request (the issue list, or the issue) sent and answered. */
  dataStart: number;
  dataEnd: number;
  /** Script bytes over the wire (transferSize) and decoded. */
  jsTransferred: number;
  jsDecoded: number;
  rows: number;
}

// Runs in every page before the app: watches the DOM for the finished view and stamps the frame in
// which it appears. The condition is chosen by the path.
const INIT_SCRIPT = `(() => {
  const w = window;
  w.__uiBench = { visible: null, rows: 0 };
  const detail = /\\/issues\\/\\d+\\/?$/.test(location.pathname);
  const done = () => {
    if (detail) return !!document.querySelector('.detail-head') && !!document.querySelector('.chart canvas');
    const rows = document.querySelectorAll('.issue-row');
    if (rows.length < ${PAGE_ROWS}) return false;
    for (const r of rows) if (!r.querySelector('.spark canvas')) return false;
    w.__uiBench.rows = rows.length;
    return true;
  };
  let seen = false;
  const check = () => {
    if (seen || !done()) return;
    seen = true;
    w.__uiBench.dom = performance.now();
    requestAnimationFrame(() => { w.__uiBench.visible = performance.now(); });
    obs.disconnect();
  };
  const obs = new MutationObserver(check);
  const start = () => obs.observe(document.documentElement, { childList: true, subtree: true, attributes: false });
  if (document.documentElement) start(); else document.addEventListener('readystatechange', start, { once: true });
})();`;

async function measureLoad(page: Page, url: string, kind: 'stream' | 'detail'): Promise<LoadSample> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => (window as unknown as { __uiBench?: { visible: number | null } }).__uiBench?.visible != null, undefined, { timeout: 60_000, polling: 50 });
  const raw = await page.evaluate((k) => {
    const b = (window as unknown as { __uiBench: { visible: number; rows: number } }).__uiBench;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const js = res.filter((r) => new URL(r.name).pathname.endsWith('.js'));
    const session = res.find((r) => r.name.includes('/api/0/auth/session'));
    const main =
      k === 'stream'
        ? res.find((r) => /\/api\/0\/organizations\/[^/]+\/issues\/\?/.test(r.name))
        : res.find((r) => /\/api\/0\/issues\/\d+\/$/.test(r.name));
    return {
      visible: b.visible,
      rows: b.rows,
      html: nav.responseEnd,
      sessionStart: session?.startTime ?? NaN,
      sessionEnd: session?.responseEnd ?? NaN,
      mainStart: main?.startTime ?? NaN,
      mainEnd: main?.responseEnd ?? NaN,
      jsTransferred: js.reduce((n, r) => n + r.transferSize, 0),
      jsDecoded: js.reduce((n, r) => n + r.decodedBodySize, 0),
    };
  }, kind);
  return {
    visible: raw.visible,
    html: raw.html,
    js: Math.min(raw.sessionStart, raw.mainStart),
    session: raw.sessionEnd,
    dataStart: raw.mainStart,
    dataEnd: raw.mainEnd,
    jsTransferred: raw.jsTransferred,
    jsDecoded: raw.jsDecoded,
    rows: raw.rows,
  };
}

interface Series {
  name: string;
  samples: LoadSample[];
}

const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q);

function printSeries(all: Series[]): string[] {
  const missed: string[] = [];
  const rows = [['view', 'runs', 'p50 ms', 'p95 ms', 'max ms', 'p95/goal', '≤ 1 s']];
  for (const s of all) {
    const v = s.samples.map((x) => x.visible);
    const p95 = p(v, 0.95);
    if (s.name.startsWith('stream') && !(p95 <= GOAL_MS)) missed.push(s.name);
    rows.push([s.name, String(v.length), fmt(p(v, 0.5)), fmt(p95), fmt(Math.max(...v)), fmt(p95 / GOAL_MS, 2), p95 <= GOAL_MS ? 'yes' : 'NO']);
  }
  table(rows);
  console.log('');
  console.log('  where the time goes: p50 of each moment, ms from navigation start, and of the data request and the render');
  const parts = [['view', 'HTML', 'JS ready', 'session', 'data sent', 'data back', 'visible', 'data API', 'render', 'JS transferred', 'JS decoded']];
  for (const s of all) {
    const m = (f: (x: LoadSample) => number) => fmt(p(s.samples.map(f), 0.5));
    const kb = (f: (x: LoadSample) => number) => `${fmt(p(s.samples.map(f), 0.5) / 1024, 1)} KB`;
    parts.push([
      s.name,
      m((x) => x.html),
      m((x) => x.js),
      m((x) => x.session),
      m((x) => x.dataStart),
      m((x) => x.dataEnd),
      m((x) => x.visible),
      m((x) => x.dataEnd - x.dataStart),
      m((x) => x.visible - x.dataEnd),
      kb((x) => x.jsTransferred),
      kb((x) => x.jsDecoded),
    ]);
  }
  table(parts);
  if (process.env.BENCH_UI_VERBOSE) for (const s of all) console.log(`    ${s.name}: ${s.samples.map((x) => fmt(x.visible)).join(' ')}`);
  console.log('    HTML: the document received; JS ready: the first API request of the app (scripts fetched, parsed and run); session:');
  console.log('    its answer; data: the issue list (or the issue) sent and back; visible: the frame with every row and its sparkline');
  console.log('    (or the detail header and chart); render: data back → visible (JSON, React, uPlot, the frame).');
  return missed;
}

async function screenshots(browser: Browser, storageState: Awaited<ReturnType<BrowserContext['storageState']>>, url: string, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, width, height, scheme] of [
    ['stream-1280-light', 1280, 860, 'light'],
    ['stream-1280-dark', 1280, 860, 'dark'],
    ['stream-390-light', 390, 844, 'light'],
    ['stream-390-dark', 390, 844, 'dark'],
  ] as const) {
    const ctx = await browser.newContext({ viewport: { width, height }, colorScheme: scheme, storageState });
    try {
      const page = await ctx.newPage();
      await page.goto(url);
      // At narrow widths the graph column is hidden: wait for the rows, then for the canvases to exist.
      await page.locator('.issue-row').nth(PAGE_ROWS - 1).waitFor();
      await page.locator('.issue-row .spark canvas').nth(PAGE_ROWS - 1).waitFor({ state: 'attached' });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(dir, `${name}.png`) });
      await page.screenshot({ path: path.join(dir, `${name}-full.png`), fullPage: true });
    } finally {
      await ctx.close();
    }
  }
  console.log(`  screenshots: ${dir}`);
}

/** Seeds (or reuses) the database, measures first loads in Chromium, prints the tables. */
export async function runUiBench(): Promise<void> {
  console.log('');
  console.log(`Faultline UI benchmark: first load of the issue stream in headless Chromium on ${fmt(ISSUES)} issues, ${RUNS} cold + ${RUNS} warm loads, goal ≤ ${fmt(GOAL_MS)} ms`);
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`  skipped: Chromium not found at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`);
    return;
  }
  if (needsBuild()) {
    console.log('  building the web UI');
    await buildWeb({ quiet: true });
  }

  let url: string;
  let drop: (() => Promise<void>) | null = null;
  let server: ServerProcess | null = null;
  let browser: Browser | null = null;
  try {
    const reuse = process.env.BENCH_UI_DATABASE_URL;
    if (reuse) {
      url = reuse;
      console.log(`  reusing the seeded database ${url}`);
    } else {
      const seeded = await seedDatabase({ issues: ISSUES, events: EVENTS });
      url = seeded.url;
      drop = seeded.drop;
      console.log(`  seeded ${fmt(seeded.issues)} issues and ${fmt(seeded.events)} events in ${fmt(seeded.seconds, 1)} s`);
      // Flush the seed's writes now rather than in a checkpoint during the measured loads.
      const sql = connectPostgres(url, { max: 1, onnotice: () => {} });
      try {
        await sql`CHECKPOINT`;
      } catch {
        // not a superuser: the loads may share the machine with a checkpoint
      } finally {
        await sql.end();
      }
    }

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = await startServerProcess({ DATABASE_URL: url, PORT: String(port), PUBLIC_URL: base, LOG_LEVEL: 'warn', FAULTLINE_ADMIN_TOKEN: BENCH_TOKEN }, ['--role', 'web']);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const viewport = { width: 1280, height: 860 };
    const streamUrl = `${base}/organizations/${BENCH_ORG}/issues/`;

    // Sign in once through the form, as a person would; every measured context starts with that cookie.
    const signIn = await browser.newContext({ viewport });
    const signInPage = await signIn.newPage();
    await signInPage.goto(`${base}/login`);
    await signInPage.getByLabel('Email').fill(EMAIL);
    await signInPage.getByLabel('Password').fill(PASSWORD);
    await signInPage.getByRole('button', { name: 'Sign in' }).click();
    await signInPage.locator('.issue-row').first().waitFor({ timeout: 60_000 });
    const storageState = await signIn.storageState();
    const issueId = await signInPage.locator('.issue-row').first().getAttribute('data-issue-id');
    await signIn.close();
    if (!issueId) throw new Error('no issue row after signing in');
    const detailUrl = `${base}/organizations/${BENCH_ORG}/issues/${issueId}/`;

    const cold = async (target: string, kind: 'stream' | 'detail', runs = RUNS): Promise<LoadSample[]> => {
      const out: LoadSample[] = [];
      for (let i = 0; i < runs; i++) {
        const ctx = await browser!.newContext({ viewport, storageState });
        try {
          await ctx.addInitScript({ content: INIT_SCRIPT });
          out.push(await measureLoad(await ctx.newPage(), target, kind));
        } finally {
          await ctx.close();
        }
      }
      return out;
    };
    const warm = async (target: string, kind: 'stream' | 'detail'): Promise<LoadSample[]> => {
      const ctx = await browser!.newContext({ viewport, storageState });
      try {
        await ctx.addInitScript({ content: INIT_SCRIPT });
        const page = await ctx.newPage();
        await measureLoad(page, target, kind); // fills the cache; not counted
        const out: LoadSample[] = [];
        for (let i = 0; i < RUNS; i++) out.push(await measureLoad(page, target, kind));
        return out;
      } finally {
        await ctx.close();
      }
    };

    // Unmeasured loads first, so the server's own first-request costs (JIT, plan caches, asset reads) do not count.
    await cold(streamUrl, 'stream', WARMUP);
    await cold(detailUrl, 'detail', 1);
    const series: Series[] = [
      { name: 'stream, cold (new context)', samples: await cold(streamUrl, 'stream') },
      { name: 'stream, warm (cached assets)', samples: await warm(streamUrl, 'stream') },
      { name: 'issue detail, cold', samples: await cold(detailUrl, 'detail') },
      { name: 'issue detail, warm', samples: await warm(detailUrl, 'detail') },
    ];
    const rows = series[0].samples[0]?.rows ?? 0;
    console.log(`  ${rows} rows on the stream's first page, each with its sparkline; Chromium ${browser.version()}, viewport 1280×860`);
    const missed = printSeries(series);
    console.log('');
    console.log(`  UI goal: first load of the stream ≤ ${fmt(GOAL_MS)} ms (p95): ${missed.length === 0 ? 'met' : `NOT met for ${missed.join('; ')}`}`);

    const shots = process.env.BENCH_UI_SHOTS;
    if (shots) await screenshots(browser, storageState, streamUrl, shots);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (drop) await drop();
  }
}

runAlone(import.meta.url, runUiBench);
