// `npm run bench:compare`: two Faultline servers side by side, loaded at the same time, for telling
// whether a change makes events cheaper. On this shared machine back-to-back runs of the same code move
// by 10-20%, more than most changes are worth; two servers loaded together see the same machine, and
// their CPU per event (the server process plus its own database's Postgres backends) agreed within 1%
// for identical code (measured: 383.8 vs 381.5 µs per event).
//
// Each side: a checkout (COMPARE_A_ROOT / COMPARE_B_ROOT, default this one; a second checkout is easiest
// as `git worktree add /tmp/base <rev>` with node_modules linked into it) and extra server environment
// (COMPARE_A_ENV / COMPARE_B_ENV, JSON objects, e.g. '{"FAULTLINE_DIGEST_BATCH":"2000"}'). Each gets half
// the usual load (BENCH_CONNECTIONS / 2) for COMPARE_ROUNDS (3) rounds of BENCH_SECONDS (10), and waits
// until its queue is empty and its counts match what it acknowledged. Prints per round and in total: CPU
// per event of each side and its end-to-end rate; the totals are what to compare. The rates only compare
// latency-bound behaviour (the two share the cores), not what one server alone would reach.
import path from 'node:path';
import { connectPostgres } from '../server/db/url.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';
import { CONNECTIONS, cpuSeconds, envelopeUrl, eventsDrained, fmt, load, runAlone, SECONDS, stop, wallNow } from './harness.ts';

interface Side {
  name: 'A' | 'B';
  root: string;
  url: string;
  dbname: string;
  pid: number;
  /** Waits until this side's queue is empty and its counts reach `expected` events; returns the count. */
  drained(expected: number): Promise<number>;
  close(): Promise<void>;
}

async function startSide(name: 'A' | 'B'): Promise<Side> {
  const root = path.resolve(process.env[`COMPARE_${name}_ROOT`] ?? path.join(import.meta.dirname, '..'));
  const { startServerProcess, freePort } = (await import(path.join(root, 'test/helpers/process.ts'))) as typeof import('../test/helpers/process.ts');
  const db = await createPostgresDatabase('faultline_bench');
  const port = await freePort();
  const extra = JSON.parse(process.env[`COMPARE_${name}_ENV`] ?? '{}') as Record<string, string>;
  const server = await startServerProcess({ DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'warn', ...extra });
  const sql = connectPostgres(db.url, { max: 1, onnotice: () => {} });
  return {
    name,
    root,
    url: envelopeUrl(port, server.dsn),
    dbname: new URL(db.url).pathname.slice(1),
    pid: server.child.pid!,
    drained: (expected) => eventsDrained(sql, expected),
    close: async () => {
      await sql.end();
      await stop(server.child);
      await db.drop();
    },
  };
}

runAlone(import.meta.url, async () => {
  const rounds = Math.max(1, Number(process.env.COMPARE_ROUNDS ?? 3));
  const connections = Math.max(1, Math.floor(CONNECTIONS / 2));
  const admin = connectPostgres(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1, onnotice: () => {} });
  const pgCpu = async (dbname: string) => (await admin<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = ${dbname}`).reduce((s, r) => s + cpuSeconds(r.pid), 0);
  const sides = [await startSide('A'), await startSide('B')];
  try {
    for (const s of sides) console.log(`${s.name}: ${s.root} ${process.env[`COMPARE_${s.name}_ENV`] ?? ''}`);
    console.log(`${rounds} rounds of ${SECONDS}s, ${connections} connections per side, both loaded at once`);
    await Promise.all(sides.map((s) => load(s.url, 3, { connections })));
    const total = new Map(sides.map((s) => [s.name, { server: 0, pg: 0, events: 0, rates: [] as number[] }]));
    for (let r = 0; r < rounds; r++) {
      const results = await Promise.all(
        sides.map(async (s) => {
          const base = await s.drained(0);
          const cpu0 = cpuSeconds(s.pid);
          const pg0 = await pgCpu(s.dbname);
          const run = await load(s.url, SECONDS, { connections });
          await s.drained(base + run.ok);
          const rate = run.ok / ((wallNow() - run.startedAt) / 1000);
          return { s, events: run.ok, rate, server: cpuSeconds(s.pid) - cpu0, pg: (await pgCpu(s.dbname)) - pg0 };
        }),
      );
      for (const x of results) {
        const t = total.get(x.s.name)!;
        t.server += x.server;
        t.pg += x.pg;
        t.events += x.events;
        t.rates.push(x.rate);
      }
      console.log(`  round ${r + 1}: ${results.map((x) => `${x.s.name} ${fmt(x.rate)}/s end to end, ${fmt((x.server * 1e6) / x.events)} + ${fmt((x.pg * 1e6) / x.events)} µs per event`).join('; ')}`);
    }
    const per = (n: number, events: number) => (n * 1e6) / events;
    for (const [name, t] of total) {
      console.log(`  ${name}: ${fmt(per(t.server, t.events), 1)} µs server + ${fmt(per(t.pg, t.events), 1)} µs Postgres = ${fmt(per(t.server + t.pg, t.events), 1)} µs per event; end to end ${t.rates.map((x) => fmt(x)).join(', ')} /s`);
    }
    const [a, b] = [total.get('A')!, total.get('B')!];
    console.log(`  B / A, CPU per event: ${fmt(per(b.server + b.pg, b.events) / per(a.server + a.pg, a.events), 3)}`);
  } finally {
    for (const s of sides) await s.close();
    await admin.end();
  }
});
