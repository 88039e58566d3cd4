// The log side of `npm run bench` (issue 6).
//
// 0. Grouping accuracy (bench/log-ga.ts): the labeled Loghub datasets through the server's own mask and
//    miner, GA per dataset, mean and minimum.
// 1. Ingest: the bare node:http ceiling (reads and JSON.parses each body) and the real server
//    (`serve`, all roles) on a fresh Postgres database, both driven with the same Sentry envelope of
//    100 log records (bench/payload.ts logPayloadFactory). For Faultline it waits until the queue is
//    empty and every acknowledged record is stored in log_records with a pattern and counted in the
//    pattern stats: records per second end to end, as a ratio of the ceiling's records per second.
//    Goal: ≥ 20,000 records/s end to end.
// 2. Search (bench/log-search.ts): seeds BENCH_LOG_RECORDS (10,000,000) records over 7 days in 3
//    projects straight into the tables, then times the logs API on the real server (`serve --role
//    web`): p50/p95 per query. Goal: p95 ≤ 300 ms.
//
// Settings: BENCH_SECONDS, BENCH_LOG_CONNECTIONS (16), BENCH_LOG_BATCH (100 records per request),
// BENCH_SQL (SQL run on the fresh database before the load, for tuning runs), BENCH_LOG_SEARCH=0
// skips the search part (its own settings are in its header). Run alone: `node --import tsx bench/logs.ts`.
import { connectPostgres } from '../server/db/url.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';
import { fmt, load, peakRssMb, runAlone, SECONDS, startBare, startFaultline, stop, table, WARMUP_SECONDS, wallNow } from './harness.ts';
import { logGaBench } from './log-ga.ts';
import { runLogSearchBench } from './log-search.ts';

const BATCH = Number(process.env.BENCH_LOG_BATCH ?? 100);
const GOAL_RECORDS = 20_000;
// Fewer connections than the event bench: each request carries 100 records (~40 KB).
const CONNECTIONS = Number(process.env.BENCH_LOG_CONNECTIONS ?? 16);

export async function runLogIngestBench(): Promise<boolean> {
  console.log('');
  console.log(`Log ingest: ${SECONDS}s per target, ${CONNECTIONS} connections, ${BATCH} records per envelope`);
  const opts = { kind: 'logs' as const, logRecords: BATCH, connections: CONNECTIONS };

  const bare = await startBare('parse');
  await load(`http://127.0.0.1:${bare.port}/api/1/envelope/`, WARMUP_SECONDS, opts);
  const ceiling = await load(`http://127.0.0.1:${bare.port}/api/1/envelope/`, SECONDS, opts);
  await stop(bare.child);

  const db = await createPostgresDatabase('faultline_bench_logs');
  const { server, ingestUrl: url } = await startFaultline(db.url);
  const sql = connectPostgres(db.url, { max: 1, onnotice: () => {} });
  if (process.env.BENCH_SQL) await sql.unsafe(process.env.BENCH_SQL);
  const state = async () => {
    const [r] = await sql<{ queued: number; stored: number; counted: number }[]>`SELECT
      (SELECT count(*) FROM ingest_queue)::int AS queued,
      (SELECT count(*) FROM log_records)::int AS stored,
      (SELECT coalesce(sum(count), 0) FROM log_pattern_stats)::int AS counted`;
    return r;
  };
  // Counting log_records reads the whole table: only once the queue is empty, so that the watching
  // does not compete with the digest for the CPU (a count every 50 ms of a table of half a million rows).
  const drained = async (expected: number) => {
    for (;;) {
      const [{ queued }] = await sql<{ queued: number }[]>`SELECT count(*)::int AS queued FROM ingest_queue`;
      if (queued === 0) {
        const s = await state();
        if (s.queued === 0 && s.stored >= expected && s.counted >= expected) return s;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const warm = await load(url, WARMUP_SECONDS, opts);
  const base = await drained(warm.ok * BATCH);
  const run = await load(url, SECONDS, opts);
  const after = await drained(base.stored + run.ok * BATCH);
  const drainedAt = wallNow();
  const rss = peakRssMb(server.child.pid!);
  const [{ patterns }] = await sql<{ patterns: number }[]>`SELECT count(*)::int AS patterns FROM log_patterns`;
  await server.stop();
  await sql.end();
  await db.drop();

  const ceilingRecords = ceiling.rps * BATCH;
  const accepted = run.rps * BATCH;
  const e2e = (run.ok * BATCH) / ((drainedAt - run.startedAt) / 1000);
  console.log('');
  table([
    ['target', 'requests/s', 'records/s', 'end-to-end records/s', 'p50 ms', 'p99 ms', 'errors'],
    ['bare node:http + JSON.parse (ceiling)', fmt(ceiling.rps), fmt(ceilingRecords), '-', fmt(ceiling.p50, 1), fmt(ceiling.p99, 1), fmt(ceiling.non2xx + ceiling.errors)],
    ['faultline serve (ingest + digest)', fmt(run.rps), fmt(accepted), fmt(e2e), fmt(run.p50, 1), fmt(run.p99, 1), fmt(run.non2xx + run.errors)],
  ]);
  console.log('');
  console.log(`  body ${fmt(run.bodyBytes)} bytes; stored ${fmt(after.stored - base.stored)} of ${fmt(run.ok * BATCH)} acknowledged records in ${fmt(patterns)} patterns;`);
  console.log(`  digest caught up ${fmt((drainedAt - run.endedAt) / 1000, 2)} s after the load ended; faultline peak RSS ${fmt(rss)} MB`);
  console.log(`  ratio faultline end-to-end / ceiling: ${fmt(e2e / ceilingRecords, 3)}`);
  console.log(`  end-to-end ${fmt(e2e)} records/s   (goal ≥ ${fmt(GOAL_RECORDS)}: ${e2e >= GOAL_RECORDS ? 'met' : 'NOT met'})`);
  const ok = after.stored - base.stored === run.ok * BATCH && after.counted - base.counted === run.ok * BATCH;
  if (!ok) console.error(`  MISMATCH: ${run.ok * BATCH} acknowledged, ${after.stored - base.stored} stored, ${after.counted - base.counted} counted`);
  return ok;
}

export async function runLogBench(): Promise<boolean> {
  await logGaBench();
  const ok = await runLogIngestBench();
  if (process.env.BENCH_LOG_SEARCH !== '0') await runLogSearchBench();
  return ok;
}

runAlone(import.meta.url, runLogBench);
