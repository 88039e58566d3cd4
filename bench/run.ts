// `npm run bench`: ingest throughput of Faultline against ceilings measured in the same run.
//
// One run starts, side by side, on this machine:
//   1. bare-parse:   node:http that only reads and JSON.parses the body          (the ceiling)
//   2. bare-durable: the same plus group commit of raw bodies into Postgres     (the price of durability)
//   3. faultline:    the real server (`serve`, all roles) on a fresh Postgres database
// and drives each with the same ~4.5 KB @sentry/node error envelope (unique event ids, a few hundred
// distinct issues) at a fixed concurrency. For Faultline it also waits until the queue is empty and
// the issues' counts add up to what was acknowledged: the end-to-end rate is the events acknowledged
// over the time from the first request to that moment (the load generator's own start-up excluded, as
// it is from every accepted rate).
//
// The three are loaded in turn, BENCH_ROUNDS (3) times, and the round with the median ratio is
// reported (every round's figures are printed too). Within a round the ceiling is loaded both before
// and after the other two, so that a drift in the machine's speed (this one's moves by a third within
// minutes) bears on the ceiling as on what it is compared with.
// Settings (environment): BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_ISSUES (300), BENCH_ROUNDS (3),
// BENCH_DATABASE_URL (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_SERVER_ENV (JSON object of extra environment for the Faultline server, for tuning runs),
// BENCH_NODE_ARGS (extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
// Besides rates it prints CPU time per event (server process and Postgres), which varies much less
// than the rates on a shared machine.
//
// Then the read side (bench/read.ts): seeds 10k issues and 1M events and prints issue-stream query
// p50/p95 against the goal p95 ≤ 50 ms. BENCH_READ=0 skips it.
//
// Then the UI (bench/ui.ts): first load of the stream on 10k issues in Chromium, goal ≤ 1 s.
// BENCH_UI=0 skips it.
//
// Then logs (bench/logs.ts): log ingest end to end against its own ceiling, and log search on 10M
// records. BENCH_LOGS=0 skips them.
//
// Last, an outage (bench/outage.ts): the event load while Postgres is there, away and back; every
// acknowledged event must be stored once. BENCH_OUTAGE=0 skips it.
import { connectPostgres } from '../server/db/url.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';
import { CONNECTIONS, cpuSeconds, threadCpu, eventsDrained, fmt, ISSUES, load, peakRssMb, postgresCpu, postgresCpuSince, SECONDS, startBare, startFaultline, stop, table, WARMUP_SECONDS, wallNow, type LoadResult } from './harness.ts';
import { runLogBench } from './logs.ts';
import { runOutageBench } from './outage.ts';
import { runReadBench } from './read.ts';
import { runUiBench } from './ui.ts';
/** The goal from the core pipeline issue: end-to-end ≥ 0.25 of the bare ceiling (project goal 0.30). */
const GOAL = 0.25;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

/** Two loads of one target as one: rates over their combined time, p50 their mean, p99 the worse. */
function both(a: LoadResult, b: LoadResult): LoadResult {
  const ok = a.ok + b.ok;
  const seconds = a.seconds + b.seconds;
  return { ...b, ok, non2xx: a.non2xx + b.non2xx, errors: a.errors + b.errors, seconds, rps: ok / seconds, p50: (a.p50 + b.p50) / 2, p99: Math.max(a.p99, b.p99), startedAt: a.startedAt };
}

async function main() {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.TEST_DATABASE_URL = adminUrl;
  console.log(`Faultline ingest benchmark: ${SECONDS}s per target, ${CONNECTIONS} connections, ${ISSUES} distinct issues, unique event ids`);

  // BENCH_ONLY=faultline skips the ceilings (for quick tuning runs; no ratios then).
  const only = process.env.BENCH_ONLY === 'faultline';
  const none: LoadResult = { ok: 0, non2xx: 0, errors: 0, seconds: 1, rps: NaN, p50: NaN, p99: NaN, bodyBytes: 0, lastSeq: 0, startedAt: 0, endedAt: 0 };

  // The three targets run side by side (an idle one costs nothing) and are loaded in turn, round after
  // round: on a shared machine whose speed drifts, a ceiling measured minutes before Faultline would
  // skew the ratio, so each round's ratio compares measurements taken seconds apart, and the median
  // round is reported.
  const bare = only ? null : await startBare('parse');
  const durableDb = only ? null : await createPostgresDatabase('faultline_bench');
  const durable = durableDb ? await startBare('durable', durableDb.url) : null;
  const db = await createPostgresDatabase('faultline_bench');
  const { server, ingestUrl } = await startFaultline(db.url);
  const bareUrl = bare && `http://127.0.0.1:${bare.port}/api/1/envelope/`;
  const durableUrl = durable && `http://127.0.0.1:${durable.port}/api/1/envelope/`;
  const sql = connectPostgres(db.url, { max: 1, onnotice: () => {} });
  const drained = (expected: number) => eventsDrained(sql, expected);

  if (bareUrl) await load(bareUrl, WARMUP_SECONDS);
  if (durableUrl) await load(durableUrl, WARMUP_SECONDS);
  let counted = await drained((await load(ingestUrl, WARMUP_SECONDS)).ok);

  interface Round {
    ceiling: LoadResult;
    durable: LoadResult;
    run: LoadResult;
    e2eRate: number;
    stored: number;
    catchUp: number;
    // CPU time per event, next to the rates: it varies less than they do on a shared machine.
    cpu: { ceiling: number; durable: number; durablePg: number; server: number; pg: number; threads: { main: number; digest: number; other: number } };
  }
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const cpu = { ceiling: NaN, durable: NaN, durablePg: NaN, server: NaN, pg: NaN, threads: { main: NaN, digest: NaN, other: NaN } };
    // The ceiling is measured twice, just before and just after the other two targets, and the two runs
    // count as one, so that a drift in the machine's speed during the round moves the ceiling as it
    // moved them.
    const ceilingRun = async () => {
      if (!bare || !bareUrl) return { result: none, cpu: 0 };
      const c0 = cpuSeconds(bare.child.pid!);
      const result = await load(bareUrl, SECONDS);
      return { result, cpu: cpuSeconds(bare.child.pid!) - c0 };
    };
    const before = await ceilingRun();
    let durableRun = none;
    if (durable && durableUrl) {
      const c0 = cpuSeconds(durable.child.pid!);
      const pg0 = postgresCpu();
      durableRun = await load(durableUrl, SECONDS);
      cpu.durable = (cpuSeconds(durable.child.pid!) - c0) / durableRun.ok;
      cpu.durablePg = postgresCpuSince(pg0) / durableRun.ok;
    }
    const base = counted;
    const c0 = cpuSeconds(server.child.pid!);
    const t0 = threadCpu(server.child.pid!);
    const pg0 = postgresCpu();
    const run = await load(ingestUrl, SECONDS);
    counted = await drained(base + run.ok);
    const drainedAt = wallNow();
    cpu.server = (cpuSeconds(server.child.pid!) - c0) / run.ok;
    const t1 = threadCpu(server.child.pid!);
    cpu.threads = { main: (t1.main - t0.main) / run.ok, digest: (t1.digest - t0.digest) / run.ok, other: (t1.other - t0.other) / run.ok };
    cpu.pg = postgresCpuSince(pg0) / run.ok;
    const after = await ceilingRun();
    const ceiling = bare ? both(before.result, after.result) : none;
    cpu.ceiling = (before.cpu + after.cpu) / ceiling.ok;
    const round = { ceiling, durable: durableRun, run, e2eRate: run.ok / ((drainedAt - run.startedAt) / 1000), stored: counted - base, catchUp: (drainedAt - run.endedAt) / 1000, cpu };
    rounds.push(round);
    console.log(
      `  round ${r + 1}: ceiling ${fmt(ceiling.rps)}/s, bare+durable ${fmt(durableRun.rps)}/s, faultline ${fmt(run.rps)}/s accepted, ${fmt(round.e2eRate)}/s end to end (${fmt(cpu.server * 1e6)} + ${fmt(cpu.pg * 1e6)} µs per event): ratio ${fmt(round.e2eRate / ceiling.rps, 3)}`,
    );
    if (round.stored !== run.ok) {
      console.error(`  MISMATCH: ${run.ok} acknowledged, ${round.stored} counted`);
      process.exitCode = 1;
    }
  }
  const rss = peakRssMb(server.child.pid!);
  const [{ issues }] = await sql<{ issues: number }[]>`SELECT count(*)::int AS issues FROM issues`;
  await server.stop();
  await sql.end();
  await db.drop();
  for (const b of [bare, durable]) if (b) await stop(b.child);
  await durableDb?.drop();

  // The round with the median end-to-end ratio (by rate alone with BENCH_ONLY).
  const key = (r: Round) => (only ? r.e2eRate : r.e2eRate / r.ceiling.rps);
  const { ceiling, durable: durableRun, run, e2eRate, stored, catchUp, cpu } = [...rounds].sort((a, b) => key(a) - key(b))[Math.floor((rounds.length - 1) / 2)];
  const rows: Array<[string, string, string, string, string, string]> = [
    ['target (median round)', 'accepted/s', 'end-to-end/s', 'p50 ms', 'p99 ms', 'errors'],
    ['bare node:http + JSON.parse (ceiling)', fmt(ceiling.rps), '-', fmt(ceiling.p50, 1), fmt(ceiling.p99, 1), fmt(ceiling.non2xx + ceiling.errors)],
    ['bare + group commit to Postgres', fmt(durableRun.rps), '-', fmt(durableRun.p50, 1), fmt(durableRun.p99, 1), fmt(durableRun.non2xx + durableRun.errors)],
    ['faultline serve (ingest + digest)', fmt(run.rps), fmt(e2eRate), fmt(run.p50, 1), fmt(run.p99, 1), fmt(run.non2xx + run.errors)],
  ];
  console.log('');
  table(rows);
  console.log('');
  console.log(`  body ${fmt(run.bodyBytes)} bytes; faultline stored ${fmt(stored)} of ${fmt(run.ok)} acknowledged events; ${fmt(issues)} issues in all;`);
  console.log(`  digest caught up ${fmt(catchUp, 2)} s after the load ended; faultline peak RSS ${fmt(rss)} MB`);
  const us = (s: number) => fmt(s * 1e6);
  console.log(`  CPU per event (µs, user+system): ceiling ${us(cpu.ceiling)}; bare+durable ${us(cpu.durable)} + Postgres ${us(cpu.durablePg)};`);
  console.log(`    faultline ${us(cpu.server)} + Postgres ${us(cpu.pg)} (ingest and digest, until caught up)`);
  const { main, digest, other } = cpu.threads;
  console.log(`    faultline by thread: main (ingest) ${us(main)}, digest ${us(digest)}, runtime helpers (GC, compiler, libuv) ${us(other)}`);
  console.log('');
  console.log(`  ratio bare+durable / ceiling:       ${fmt(durableRun.rps / ceiling.rps, 3)}`);
  console.log(`  ratio faultline accepted / ceiling: ${fmt(run.rps / ceiling.rps, 3)}`);
  console.log(`  ratio faultline end-to-end / ceiling: ${fmt(e2eRate / ceiling.rps, 3)}   (goal ≥ ${GOAL}: ${e2eRate / ceiling.rps >= GOAL ? 'met' : 'NOT met'})`);
  // What grouping and counting cost on top of the durable write alone.
  console.log(`  ratio faultline end-to-end / bare+durable: ${fmt(e2eRate / durableRun.rps, 3)}`);

  // 4. The read side: issue-stream queries on a seeded database.
  if (process.env.BENCH_READ !== '0') await runReadBench();

  // 5. The UI: first load of the issue stream on 10k issues in Chromium (bench/ui.ts).
  if (process.env.BENCH_UI !== '0') await runUiBench();

  // 6. Logs: ingest end to end, search on 10M records (bench/logs.ts).
  if (process.env.BENCH_LOGS !== '0' && !(await runLogBench())) process.exitCode = 1;

  // 7. Through a database outage: the spool under load (bench/outage.ts).
  if (process.env.BENCH_OUTAGE !== '0' && !(await runOutageBench())) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
