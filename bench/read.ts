// The read side of `npm run bench`: issue-stream queries against a seeded Postgres (bench/seed.ts:
// 10,000 issues, 1,000,000 events in 5 projects), p50/p95 per query. Goal: p95 ≤ 50 ms.
//
// Function level: each request does what GET /organizations/{org}/issues/ does (server/api/issues.ts)
// with the real query functions: parseIssueSearch → listIssues → hasIssuesBefore (the "previous"
// link) → issueStats(24h) for the page, on a postgres.js pool like the server's. HTTP level: the real
// server (`serve --role web`) on the same database, GET with the API token, body read whole.
//
// Settings (environment): BENCH_READ_RUNS (50 measured runs per query, after BENCH_READ_WARMUP = 5),
// BENCH_READ_DATABASE_URL (an already seeded database to reuse; it is not dropped), the seed's own
// BENCH_SEED_ISSUES / BENCH_SEED_EVENTS.
// Run alone: `node --import tsx bench/read.ts`.
import { openDatabase, type Database } from '../server/db/client.ts';
import { hasIssuesBefore, issueStats, listIssues, type IssueListQuery } from '../server/queries/issues.ts';
import { parseIssueSearch, type IssueSort } from '../server/search/issues.ts';
import { freePort, startServerProcess } from '../test/helpers/process.ts';
import { BENCH_ORG, BENCH_TOKEN, seedDatabase } from './seed.ts';
import { runAlone } from './harness.ts';

const RUNS = Number(process.env.BENCH_READ_RUNS ?? 50);
const WARMUP = Number(process.env.BENCH_READ_WARMUP ?? 5);
const GOAL_MS = 50;
const LIMIT = 25;

interface ReadQuery {
  name: string;
  /** The `query` parameter (undefined: none sent, `is:unresolved` implied, as in the API). */
  query?: string;
  sort?: IssueSort;
  /** Page 2: start after the last row of page 1. */
  page2?: boolean;
  /** Only the largest project (GET /projects/{org}/{project}/issues/); default: all five. */
  oneProject?: boolean;
}

/** The issue-stream queries measured, in the order printed. */
export const READ_QUERIES: ReadQuery[] = [
  { name: 'default (is:unresolved, sort=date)' },
  { name: 'default, one project', oneProject: true },
  { name: 'page 2 via cursor (default)', page2: true },
  { name: 'sort=new', sort: 'new' },
  { name: 'sort=freq', sort: 'freq' },
  { name: 'sort=user', sort: 'user' },
  { name: 'sort=priority', sort: 'priority' },
  { name: 'level:error', query: 'is:unresolved level:error' },
  { name: 'tag environment:production', query: 'is:unresolved environment:production' },
  { name: 'tag region:eu-west-1', query: 'is:unresolved region:eu-west-1' },
  { name: 'tag rare customer:cust-1999', query: 'is:unresolved customer:cust-1999' },
  { name: 'free text "checkout"', query: 'is:unresolved checkout' },
  { name: 'free text, no match', query: 'is:unresolved zebra' },
  { name: 'tag + text, sort=freq', query: 'is:unresolved environment:production checkout', sort: 'freq' },
];

export interface Timing {
  name: string;
  rows: number;
  p50: number;
  p95: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function measure(name: string, fn: () => Promise<number>): Promise<Timing> {
  let rows = 0;
  for (let i = 0; i < WARMUP; i++) rows = await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { name, rows, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)! };
}

/** What the API handler does for one list request; returns the number of issues on the page. */
async function listRequest(db: Database, projectIds: number[], rq: ReadQuery, cursor: IssueListQuery['cursor']): Promise<number> {
  const q: IssueListQuery = {
    projectIds,
    terms: parseIssueSearch(rq.query ?? 'is:unresolved', new Date()),
    sort: rq.sort ?? 'date',
    limit: LIMIT,
    cursor,
  };
  const page = await listIssues(db, q);
  const first = page.rows[0];
  if (first) await hasIssuesBefore(db, { ...q, cursor: null }, first);
  await issueStats(db, page.rows.map((i) => i.id), '24h');
  return page.rows.length;
}

async function page2Cursor(db: Database, projectIds: number[], rq: ReadQuery): Promise<IssueListQuery['cursor']> {
  const page = await listIssues(db, { projectIds, terms: parseIssueSearch(rq.query ?? 'is:unresolved'), sort: rq.sort ?? 'date', limit: LIMIT, cursor: null });
  const last = page.rows.at(-1)!;
  return { value: last.cursorValue, id: String(last.id), prev: false };
}

const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Prints the table; returns the names of the queries whose p95 missed the goal. */
function printTable(title: string, timings: Timing[]): string[] {
  const rows = [['query', 'rows', 'p50 ms', 'p95 ms', 'max ms', `p95 ≤ ${GOAL_MS} ms`]];
  const missed: string[] = [];
  for (const t of timings) {
    const met = t.p95 <= GOAL_MS;
    if (!met) missed.push(t.name);
    rows.push([t.name, String(t.rows), fmt(t.p50), fmt(t.p95), fmt(t.max), met ? 'yes' : 'NO']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`  ${title}`);
  for (const r of rows) console.log(`    ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`);
  return missed;
}

/** Seeds (or reuses) the database, measures, prints; resolves with whether every p95 met the goal. */
export async function runReadBench(): Promise<boolean> {
  console.log('');
  console.log(`Faultline read benchmark: issue stream on Postgres, ${RUNS} runs per query after ${WARMUP} warm-up, goal p95 ≤ ${GOAL_MS} ms`);
  const reuse = process.env.BENCH_READ_DATABASE_URL;
  let url: string;
  let drop: (() => Promise<void>) | null = null;
  if (reuse) {
    url = reuse;
    console.log(`  reusing the seeded database ${url}`);
  } else {
    const seeded = await seedDatabase({ log: (l) => console.log(l) });
    url = seeded.url;
    drop = seeded.drop;
    console.log(`  seeded ${seeded.issues.toLocaleString('en-US')} issues and ${seeded.events.toLocaleString('en-US')} events in ${fmt(seeded.seconds)} s`);
  }

  const missed: string[] = [];
  try {
    // Function level, on a pool like the server's.
    const db = await openDatabase({ url, poolSize: 10 });
    const fnTimings: Timing[] = [];
    try {
      const allProjects = (await db.query<{ id: number }>(`SELECT id FROM projects ORDER BY slug`)).map((r) => Number(r.id));
      const [{ id: largest }] = await db.query<{ id: number }>(`SELECT project_id AS id FROM issues GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
      for (const rq of READ_QUERIES) {
        const projectIds = rq.oneProject ? [Number(largest)] : allProjects;
        const cursor = rq.page2 ? await page2Cursor(db, projectIds, rq) : null;
        fnTimings.push(await measure(rq.name, () => listRequest(db, projectIds, rq, cursor)));
      }
    } finally {
      await db.close();
    }
    console.log('');
    missed.push(...printTable(`function level: listIssues + hasIssuesBefore + issueStats(24h), all projects, limit ${LIMIT}`, fnTimings));

    // HTTP level: the real server on the same database.
    const port = await freePort();
    const server = await startServerProcess({ DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', FAULTLINE_ADMIN_TOKEN: BENCH_TOKEN }, ['--role', 'web']);
    const httpTimings: Timing[] = [];
    let httpError: unknown = null;
    try {
      const get = async (params: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/api/0/organizations/${BENCH_ORG}/issues/?limit=${LIMIT}${params}`, {
          headers: { authorization: `Bearer ${BENCH_TOKEN}` },
        });
        const body = (await res.json()) as unknown[];
        if (res.status !== 200) throw new Error(`GET issues${params}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        return body.length;
      };
      httpTimings.push(await measure('GET default', () => get('')));
      httpTimings.push(await measure('GET ?query=is:unresolved region:eu-west-1', () => get(`&query=${encodeURIComponent('is:unresolved region:eu-west-1')}`)));
      httpTimings.push(await measure('GET ?query=is:unresolved checkout&sort=freq', () => get(`&query=${encodeURIComponent('is:unresolved checkout')}&sort=freq`)));
    } catch (err) {
      // The function-level figures stand on their own; say why the HTTP ones are missing.
      httpError = err;
    } finally {
      await server.stop();
    }
    console.log('');
    missed.push(...printTable(`HTTP level: GET /api/0/organizations/${BENCH_ORG}/issues/ (serve --role web, same database)`, httpTimings));
    if (httpError) {
      console.log(`    HTTP measurement failed: ${httpError instanceof Error ? httpError.message : String(httpError)}`);
      missed.push('HTTP level (failed)');
    }
    console.log('');
    console.log(`  read goal p95 ≤ ${GOAL_MS} ms: ${missed.length === 0 ? 'met for every query' : `NOT met for ${missed.join('; ')}`}`);
  } finally {
    if (drop) await drop();
  }
  return missed.length === 0;
}

runAlone(import.meta.url, runReadBench);
