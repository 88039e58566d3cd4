// Shared pieces of `npm run bench`: the load generator in its own process (bench/load.ts), the bare
// node:http ceilings (bench/bare.ts), process helpers and number formatting.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';
import { freePort, startServerProcess, type ServerProcess } from '../test/helpers/process.ts';
import { DIGEST_THREAD_NAME } from '../server/pipeline/digest-thread.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
export const ISSUES = Number(process.env.BENCH_ISSUES ?? 300);
export const WARMUP_SECONDS = 3;

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  bodyBytes: number;
  lastSeq: number;
  /**
   * When the load began (as its connections opened) and when the last answer came in (ms since the
   * epoch; compare with wallNow()). The generator's own start-up is before this: it is not the server's time.
   */
  startedAt: number;
  endedAt: number;
}

/** Now, in the clock of LoadResult.startedAt/endedAt. */
export const wallNow = () => performance.timeOrigin + performance.now();

export interface LoadOptions {
  kind?: 'events' | 'logs';
  /** Log records per request (kind 'logs'). */
  logRecords?: number;
  connections?: number;
}

let seq = 0;
/** Drive `url` for `seconds` from a separate process; every request has a fresh sequence number. */
export function load(url: string, seconds: number, options: LoadOptions = {}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const opts = { url, connections: options.connections ?? CONNECTIONS, seconds, distinctIssues: ISSUES, seqStart: seq, kind: options.kind, logRecords: options.logRecords };
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', JSON.stringify(opts)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult;
      seq = r.lastSeq + 1;
      resolve(r);
    });
  });
}

/** Start bench/bare.ts: the ceiling ('parse') or the ceiling plus group commit to Postgres ('durable'). */
export async function startBare(mode: 'parse' | 'durable', url?: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare.ts', mode, String(port), ...(url ? [url] : [])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`bare ${mode} exited with ${code}`)));
  });
  return { port, child };
}

/**
 * Starts Faultline (`serve`, all roles) on the database at `databaseUrl`, with BENCH_SERVER_ENV's extra
 * environment (a JSON object, for tuning runs), and returns it with its envelope URL (DSN key in the
 * query string, as the browser SDK sends it).
 */
export async function startFaultline(databaseUrl: string, env: Record<string, string> = {}): Promise<{ server: ServerProcess; ingestUrl: string }> {
  const port = await freePort();
  const extraEnv = JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>;
  const server = await startServerProcess({ DATABASE_URL: databaseUrl, PORT: String(port), LOG_LEVEL: 'warn', ...env, ...extraEnv });
  return { server, ingestUrl: envelopeUrl(port, server.dsn) };
}

/** The envelope URL of a server on `port` for its `dsn`, the key in the query string (as the browser SDK sends it). */
export function envelopeUrl(port: number, dsn: string): string {
  const u = new URL(dsn);
  return `http://127.0.0.1:${port}/api${u.pathname}/envelope/?sentry_key=${u.username}&sentry_version=7`;
}

/**
 * Waits until a Faultline database's queue is empty and its issues' counts add up to at least
 * `expected` events; returns the count.
 */
export async function eventsDrained(sql: postgres.Sql, expected: number): Promise<number> {
  for (;;) {
    const [s] = await sql<{ queued: number; counted: number }[]>`SELECT
      (SELECT count(*) FROM ingest_queue)::int AS queued,
      (SELECT coalesce(sum(times_seen), 0) FROM issues)::int AS counted`;
    if (s.queued === 0 && s.counted >= expected) return s.counted;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Peak resident set size of a process, from /proc (Linux). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** The name and CPU seconds (user + system) of a /proc `stat` file's process or thread (clock ticks of 1/100 s). */
function readStat(file: string): { name: string; seconds: number } {
  const stat = readFileSync(file, 'utf8');
  const close = stat.lastIndexOf(')');
  const f = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), seconds: (Number(f[11]) + Number(f[12])) / 100 };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    return readStat(`/proc/${pid}/stat`).seconds;
  } catch {
    return 0;
  }
}

/**
 * A process' CPU seconds so far by thread kind: `main` (the thread whose id is the pid), `digest` (the
 * digest worker thread, which names itself: pipeline/digest-thread-worker.ts) and `other` (the runtime's
 * helpers: V8's garbage collection and compiler threads, libuv's pool). Threads gone meanwhile are lost.
 */
export function threadCpu(pid: number): { main: number; digest: number; other: number } {
  const out = { main: 0, digest: 0, other: 0 };
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const { name, seconds } = readStat(`/proc/${pid}/task/${tid}/stat`);
      out[Number(tid) === pid ? 'main' : name === DIGEST_THREAD_NAME ? 'digest' : 'other'] += seconds;
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds used so far by every running `postgres` process (server and backends), by pid. */
export function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'postgres') out.set(Number(name), cpuSeconds(Number(name)));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Postgres CPU seconds between two postgresCpu() readings (processes started meanwhile count whole). */
export function postgresCpuSince(before: Map<number, number>): number {
  let s = 0;
  for (const [pid, t] of postgresCpu()) s += t - (before.get(pid) ?? 0);
  return s;
}

export const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** Print rows as a right-aligned table (first column left-aligned). */
export function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`);
}

/**
 * Runs a bench file's entry when that file is run alone (`node --import tsx bench/x.ts`): databases on
 * BENCH_DATABASE_URL's server (else TEST_DATABASE_URL's, else the local one); exit code 1 when the
 * entry throws or reports a missed goal (false).
 */
export function runAlone(moduleUrl: string, main: () => Promise<boolean | void>): void {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  main().then(
    (ok) => process.exit(ok === false ? 1 : 0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
