// Log search on 10M records (issue 6): seeds a fresh Postgres database straight in SQL, then times
// the logs API of the real server (`serve --role web`) over HTTP with an API token.
//
// Shape (BENCH_LOG_RECORDS overrides the count):
//   - 3 projects (60/30/10 % of the records), 40 message shapes each, so 120 log patterns, with
//     their hourly per-level stats aggregated from the records;
//   - 10,000,000 records spread uniformly over the last 7 days (daily partitions), levels info 70 %,
//     debug 10, warn 12, error 7, fatal 1; bodies from the shapes with numbers, ids, addresses and
//     durations in them; shape popularity skewed (the commonest ~10 %, the rarest ~0.01 %);
//   - half the records carry a trace id (about 3 records per trace); attributes: user.id (100k
//     values), region (8), http.status_code, sentry.sdk.name, as the SDKs send them ({type, value}).
//
// Queries (org-wide, all projects, newest first, 100 per page, the way the logs explorer asks):
// no filter, free text that is common / rare / absent, a common and a rare attribute value, a
// pattern, a level, a trace, over the default 24 h and over the whole 7 days; the histogram and the
// patterns list. Goal: p95 ≤ 300 ms each.
//
// BENCH_LOG_SEARCH_DATABASE_URL reuses a seeded database (it is not dropped); BENCH_LOG_SEARCH_KEEP=1
// keeps the one it seeds.
import { connectPostgres } from '../server/db/url.ts';
import { bootstrap } from '../server/bootstrap.ts';
import { testConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { migrate } from '../server/db/migrate.ts';
import { ensureLogPartitions } from '../server/logs/partitions.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';
import { freePort, startServerProcess } from '../test/helpers/process.ts';
import { fmt, percentile, runAlone, table } from './harness.ts';

const TOKEN = 'flt_bench_logs_token_0123456789abcdef';
const GOAL_MS = 300;
const RUNS = Number(process.env.BENCH_LOG_SEARCH_RUNS ?? 20);
const WARMUP = 3;
const DAYS = 7;

// Message shapes: constant words around variable parts ($1, $2 are filled per record).
const SHAPES = [
  'GET /api/v1/items/$1 200 in $2 ms',
  'POST /api/v1/orders 201 in $2 ms for user $1',
  'cache hit for key session:$1',
  'cache miss for key product:$1, loading from database',
  'user $1 signed in from 10.2.$2.17',
  'user $1 signed out after $2 s',
  'job $1 queued on worker-$2',
  'job $1 finished in $2 ms',
  'connection to db-$2.internal established',
  'slow query took $2 ms: SELECT * FROM orders WHERE customer_id = $1',
  'request $1 timeout after $2 ms calling payments',
  'retrying upstream call $1 (attempt $2 of 5)',
  'payment $1 authorized for amount $2.00 EUR',
  'payment $1 declined: insufficient funds',
  'sent email $1 to customer $2',
  'webhook delivery $1 failed with status 502',
  'feature flag new-checkout evaluated to true for user $1',
  'rate limit reached for api key $1 ($2 requests per minute)',
  'uploaded file $1.png of $2 bytes to bucket media',
  'deleted $2 expired sessions in $1 ms',
  'order $1 shipped with carrier dhl tracking $2',
  'inventory for sku $1 dropped below threshold $2',
  'websocket $1 closed with code 1006',
  'health check ok in $2 ms',
  'config reloaded from /etc/app/config.$1.yaml',
  'scheduler tick $1 processed $2 tasks',
  'search index for tenant $1 rebuilt in $2 s',
  'invalid token presented by client $1',
  'user $1 changed password',
  'export $1 generated with $2 rows',
  'tls certificate for host-$2 expires in $1 days',
  'disk usage on volume $1 at $2 percent',
  'message $1 acknowledged by consumer group billing',
  'circuit breaker opened for service inventory after $2 failures',
  'gc pause of $2 ms on heap $1',
  'queue depth $2 on topic events-$1',
  'report $1 rendered in $2 ms',
  'locale fallback for user $1 to en-US',
  'duplicate request $1 ignored',
  'checksum mismatch on segment $1 replica $2',
];
const N_SHAPES = SHAPES.length;
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-east-2', 'us-west-2', 'ap-south-1', 'ap-northeast-1', 'sa-east-1'];
const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlArray = (values: string[]) => `ARRAY[${values.map(sqlText).join(', ')}]`;

interface Seeded {
  url: string;
  drop: (() => Promise<void>) | null;
  records: number;
  traceId: string;
  patternId: number;
}

async function seed(): Promise<Seeded> {
  const nRecords = Number(process.env.BENCH_LOG_RECORDS ?? 10_000_000);
  const reuse = process.env.BENCH_LOG_SEARCH_DATABASE_URL;
  const db = reuse ? null : await createPostgresDatabase('faultline_bench_logsearch');
  const url = reuse ?? db!.url;
  const sql = connectPostgres(url, { max: 1, onnotice: () => {} });
  const pick = async () => {
    const [t] = await sql<{ trace_id: string }[]>`SELECT trace_id FROM log_records WHERE trace_id IS NOT NULL AND timestamp > now() - interval '2 days' LIMIT 1`;
    // A mid-popularity shape's pattern in the biggest project.
    const [p] = await sql<{ id: number }[]>`SELECT id FROM log_patterns WHERE cluster_key = 'bench:1:20'`;
    return { traceId: t.trace_id, patternId: Number(p.id) };
  };
  if (reuse) {
    const [{ n }] = await sql<{ n: number }[]>`SELECT count(*)::int8 AS n FROM log_records`;
    const picked = await pick();
    await sql.end();
    console.log(`  reusing the seeded database ${url} (${fmt(Number(n))} records)`);
    return { url, drop: null, records: Number(n), ...picked };
  }
  const t0 = performance.now();
  const app = await openDatabase({ url });
  try {
    await migrate(app);
    await bootstrap(app, testConfig({ FAULTLINE_ADMIN_TOKEN: TOKEN }).admin, 'http://localhost:8000');
    await ensureLogPartitions(app, Date.now(), DAYS + 1, 1);
  } finally {
    await app.close();
  }
  const [{ org, team }] = await sql<{ org: number; team: number }[]>`SELECT (SELECT id FROM organizations LIMIT 1) AS org, (SELECT id FROM teams LIMIT 1) AS team`;
  for (const slug of ['checkout-api', 'storefront']) {
    const [p] = await sql<{ id: number }[]>`INSERT INTO projects (organization_id, slug, name, platform) VALUES (${org}, ${slug}, ${slug}, 'node') RETURNING id`;
    await sql`INSERT INTO project_teams (project_id, team_id) VALUES (${p.id}, ${team})`;
  }
  const projects = (await sql<{ id: number }[]>`SELECT id FROM projects ORDER BY id`).map((r) => Number(r.id)).slice(0, 3);
  // Patterns: one per (project, shape), templates with <*> where the shape has variables.
  await sql.unsafe(`
    INSERT INTO log_patterns (project_id, version, cluster_key, template, sample, first_seen, last_seen, count)
    SELECT p.id, 'bench', 'bench:' || p.ord || ':' || (s.ord - 1), regexp_replace(s.shape, '\\$[12]', '<*>', 'g'), s.shape,
           now() - interval '${DAYS} days', now(), 0
    FROM unnest(${`ARRAY[${projects.join(',')}]`}::int[]) WITH ORDINALITY AS p(id, ord),
         unnest(${sqlArray(SHAPES)}::text[]) WITH ORDINALITY AS s(shape, ord)`);
  const patternBase = `(SELECT min(id) FROM log_patterns)`;
  // The secondary indexes are built after the records (as a restore would): the same definitions,
  // read from the catalog, several times faster than maintaining them row by row.
  const indexes = await sql<{ indexname: string; indexdef: string }[]>`
    SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'log_records' AND indexname <> 'log_records_pkey'`;
  for (const i of indexes) await sql.unsafe(`DROP INDEX ${i.indexname}`);
  // Records in chunks (one statement per chunk keeps memory and WAL bursts bounded).
  const CHUNK = 500_000;
  await sql.unsafe(`SELECT setseed(0.1234)`);
  for (let done = 0; done < nRecords; done += CHUNK) {
    const n = Math.min(CHUNK, nRecords - done);
    await sql.unsafe(`
      INSERT INTO log_records (project_id, timestamp, id, observed, received, level, severity_number, body, trace_id, span_id,
                               release, environment, service, pattern_id, attributes)
      SELECT (ARRAY[${projects.join(',')}])[pi], ts, gen_random_uuid(), ts, ts + interval '50 milliseconds', lv, sev,
        replace(replace((${sqlArray(SHAPES)})[si + 1], '$1', v1::text), '$2', v2::text),
        CASE WHEN r_trace < 0.5 THEN md5('trace' || floor(r_trace * 2 * ${Math.max(1, Math.floor(nRecords / 6))})::text) END,
        CASE WHEN r_trace < 0.5 THEN left(md5('span' || n::text), 16) END,
        'app@1.' || (extract(day FROM ts)::int % 5), CASE WHEN r_env < 0.9 THEN 'production' ELSE 'staging' END,
        'svc-' || pi, ${patternBase} + (pi - 1) * ${N_SHAPES} + si,
        jsonb_build_object(
          'user.id', jsonb_build_object('type', 'string', 'value', 'u' || floor(r_user * 100000)::int),
          'region', jsonb_build_object('type', 'string', 'value', (${sqlArray(REGIONS)})[1 + floor(r_region * 8)::int]),
          'http.status_code', jsonb_build_object('type', 'integer', 'value', CASE WHEN lv IN ('error', 'fatal') THEN 500 ELSE 200 END),
          'sentry.sdk.name', jsonb_build_object('type', 'string', 'value', 'sentry.javascript.node'))
      FROM (
        SELECT n, r_trace, r_env, r_user, r_region, v1, v2,
          now() - interval '${DAYS} days' * r_time AS ts,
          1 + (r_proj >= 0.6)::int + (r_proj >= 0.9)::int AS pi,
          -- Skewed popularity: shape k's share falls off like 1/(k+1)^1.6; the last one is rare on purpose.
          CASE WHEN r_rare < 0.0001 THEN ${N_SHAPES - 1} ELSE least(${N_SHAPES - 2}, floor(power(r_shape, 2.6) * ${N_SHAPES - 1})::int) END AS si,
          CASE WHEN r_level < 0.70 THEN 'info' WHEN r_level < 0.80 THEN 'debug' WHEN r_level < 0.92 THEN 'warn' WHEN r_level < 0.99 THEN 'error' ELSE 'fatal' END AS lv,
          CASE WHEN r_level < 0.70 THEN 9 WHEN r_level < 0.80 THEN 5 WHEN r_level < 0.92 THEN 13 WHEN r_level < 0.99 THEN 17 ELSE 21 END AS sev
        FROM (
          SELECT n, random() AS r_time, random() AS r_proj, random() AS r_shape, random() AS r_rare, random() AS r_level,
                 random() AS r_trace, random() AS r_env, random() AS r_user, random() AS r_region,
                 floor(random() * 1000000)::int AS v1, floor(random() * 250)::int AS v2
          FROM generate_series(${done + 1}, ${done + n}) n
        ) raw
      ) x`);
    process.stdout.write(`\r  seeding log records: ${fmt(done + n)} of ${fmt(nRecords)}`);
  }
  process.stdout.write('\n');
  // pg_indexes prints a partitioned table's index as `ON ONLY`; without ONLY it reaches every partition.
  for (const i of indexes) await sql.unsafe(i.indexdef.replace(' ON ONLY ', ' ON '));
  // Pattern counts and hourly per-level stats, from exactly those records.
  await sql.unsafe(`
    INSERT INTO log_pattern_stats (pattern_id, bucket, level, count)
    SELECT pattern_id, date_trunc('hour', timestamp), level, count(*) FROM log_records GROUP BY 1, 2, 3`);
  await sql.unsafe(`
    UPDATE log_patterns p SET count = s.n, first_seen = s.first, last_seen = s.last
    FROM (SELECT pattern_id, sum(count) AS n, min(bucket) AS first, max(bucket) + interval '1 hour' AS last FROM log_pattern_stats GROUP BY 1) s
    WHERE s.pattern_id = p.id`);
  await sql.unsafe('VACUUM ANALYZE log_records');
  await sql.unsafe('ANALYZE log_patterns');
  await sql.unsafe('ANALYZE log_pattern_stats');
  const picked = await pick();
  await sql.end();
  console.log(`  seeded ${fmt(nRecords)} log records in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  return { url, drop: db ? () => db.drop() : null, records: nRecords, ...picked };
}

export async function runLogSearchBench(): Promise<boolean> {
  console.log('');
  console.log(`Log search: ${RUNS} runs per query after ${WARMUP} warm-up, goal p95 ≤ ${GOAL_MS} ms`);
  const seeded = await seed();
  const port = await freePort();
  const server = await startServerProcess({ DATABASE_URL: seeded.url, PORT: String(port), LOG_LEVEL: 'warn' }, ['--role', 'web']);
  const missed: string[] = [];
  try {
    const base = `http://127.0.0.1:${port}/api/0/organizations/faultline`;
    const get = async (path: string, params: Record<string, string>): Promise<number> => {
      const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await res.json()) as unknown;
      if (res.status !== 200) throw new Error(`${path} ${JSON.stringify(params)}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return Array.isArray(body) ? body.length : Array.isArray((body as { data?: unknown[] }).data) ? (body as { data: unknown[] }).data.length : 1;
    };
    const cases: Array<[string, string, Record<string, string>]> = [];
    for (const period of ['24h', '7d']) {
      const list = (name: string, query: string) => cases.push([`${name}, ${period}`, '/logs/', { query, statsPeriod: period, limit: '100' }]);
      list('no filter', '');
      list('free text, common ("timeout")', 'timeout');
      list('free text, rare ("checksum mismatch")', '"checksum mismatch"');
      list('free text, no match ("zebra")', 'zebra');
      list('attribute, common (region:eu-west-1)', 'region:eu-west-1');
      list('attribute, rare (user.id:u4242)', 'user.id:u4242');
      list('pattern', `pattern:${seeded.patternId}`);
      list('level:error', 'level:error');
      list('level:error + free text', 'level:error payment');
      if (period === '7d') list('trace', `trace:${seeded.traceId}`);
      cases.push([`histogram, ${period}`, '/logs/histogram/', { statsPeriod: period }]);
      cases.push([`patterns, ${period}`, '/log-patterns/', { statsPeriod: period }]);
    }
    const rows: string[][] = [['query', 'rows', 'p50 ms', 'p95 ms', 'max ms', `p95 ≤ ${GOAL_MS} ms`]];
    for (const [name, path, params] of cases) {
      let n = 0;
      for (let i = 0; i < WARMUP; i++) n = await get(path, params);
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        n = await get(path, params);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 0.95);
      if (p95 > GOAL_MS) missed.push(name);
      rows.push([name, String(n), fmt(percentile(times, 0.5), 1), fmt(p95, 1), fmt(times.at(-1)!, 1), p95 <= GOAL_MS ? 'yes' : 'NO']);
    }
    console.log('');
    table(rows);
    console.log('');
    console.log(`  ${fmt(seeded.records)} records; ${missed.length === 0 ? `every p95 within ${GOAL_MS} ms` : `p95 over ${GOAL_MS} ms: ${missed.join('; ')}`}`);
  } finally {
    await server.stop();
    if (process.env.BENCH_LOG_SEARCH_KEEP) console.log(`  kept ${seeded.url}`);
    else await seeded.drop?.();
  }
  return missed.length === 0;
}

runAlone(import.meta.url, runLogSearchBench);
