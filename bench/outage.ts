// Through a database outage (the spool, server/pipeline/spool.ts): Faultline on Postgres behind a TCP
// proxy (test/helpers/db-proxy.ts), driven with the event bench's load in three phases of
// BENCH_OUTAGE_SECONDS (5) each: the database there; the database away (every connection cut, nothing
// listening), so ingest spools; the database back, so the spool is replayed while the load goes on.
// Prints each phase's accepted events/s, p50/p99 and non-2xx answers, the spool's peak size, how long
// the digest took to catch up after the load, and whether every acknowledged event was stored and
// counted exactly once. Run alone: `node --import tsx bench/outage.ts`; `npm run bench` runs it last
// (BENCH_OUTAGE=0 skips it).
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectPostgres } from '../server/db/url.ts';
import { isSpoolFile } from '../server/pipeline/spool.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';
import { DatabaseProxy } from '../test/helpers/db-proxy.ts';
import { eventsDrained, fmt, load, runAlone, startFaultline, table, WARMUP_SECONDS, wallNow, type LoadResult } from './harness.ts';

const PHASE_SECONDS = Number(process.env.BENCH_OUTAGE_SECONDS ?? 5);

export async function runOutageBench(): Promise<boolean> {
  console.log('');
  console.log(`Outage: the database there, away, and back, ${PHASE_SECONDS}s each, under the event load`);
  const db = await createPostgresDatabase('faultline_bench_outage');
  const proxy = await DatabaseProxy.start(db.url);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-outage-'));
  const spoolDir = path.join(dataDir, 'spool');
  const { server, ingestUrl } = await startFaultline(proxy.url, { FAULTLINE_DATA_DIR: dataDir });
  const sql = connectPostgres(db.url, { max: 1, onnotice: () => {} });
  let peak = { files: 0, bytes: 0 };
  const watch = setInterval(() => {
    const files = spoolFiles(spoolDir);
    // A file replayed between the listing and its stat counts 0.
    const bytes = files.reduce((n, f) => n + (statSync(path.join(spoolDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
    if (bytes > peak.bytes) peak = { files: files.length, bytes };
  }, 100);
  try {
    const warm = await load(ingestUrl, WARMUP_SECONDS);
    const base = await eventsDrained(sql, warm.ok);
    const there = await load(ingestUrl, PHASE_SECONDS);
    await proxy.down();
    const away = await load(ingestUrl, PHASE_SECONDS);
    await proxy.up();
    const back = await load(ingestUrl, PHASE_SECONDS);
    const acknowledged = there.ok + away.ok + back.ok;
    const counted = (await eventsDrained(sql, base + acknowledged)) - base;
    const caughtUp = (wallNow() - back.endedAt) / 1000;
    const [{ events }] = await sql<{ events: number }[]>`SELECT count(*)::int AS events FROM events`;
    const row = (name: string, r: LoadResult) => [name, fmt(r.rps), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.non2xx + r.errors)];
    console.log('');
    table([['phase', 'accepted/s', 'p50 ms', 'p99 ms', 'non-2xx'], row('database there', there), row('database away (spooling)', away), row('database back (replaying)', back)]);
    console.log('');
    console.log(`  spool at its largest: ${fmt(peak.files)} files, ${fmt(peak.bytes / 1024 / 1024, 1)} MB; digest caught up ${fmt(caughtUp, 2)} s after the load ended`);
    const ok = counted === acknowledged && events - base === acknowledged && spoolFiles(spoolDir).length === 0;
    console.log(`  acknowledged ${fmt(acknowledged)} events, counted ${fmt(counted)}, stored ${fmt(events - base)}: ${ok ? 'every one, once' : 'MISMATCH'}`);
    return ok;
  } finally {
    clearInterval(watch);
    await server.stop();
    await sql.end();
    await proxy.down();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The spool's files (none before the spool directory exists). */
function spoolFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter(isSpoolFile) : [];
}

runAlone(import.meta.url, runOutageBench);
