// Seeds a fresh Postgres database for the read benchmark (bench/read.ts), directly in SQL: the schema
// through the real migrations and bootstrap, then issues, events and everything the digest derives
// from events (issue_tags, issue_users, issue_stats), generated with generate_series in a few
// statements instead of through HTTP and the digest.
//
// Shape (defaults; BENCH_SEED_ISSUES, BENCH_SEED_EVENTS override):
//   - 5 projects of one organization, issues split 40/25/15/12/8 %;
//   - 10,000 issues, times_seen Zipf-like (rank r gets ~C/r events; the largest has ~100k, the
//     smallest 10), first seen uniformly over the last 30 days, last seen skewed towards now;
//     70 % unresolved, 20 % resolved, 10 % ignored; levels error/warning/fatal/info/debug;
//     titles "<Type>: <phrase> <noun> ..." from small vocabularies, culprits and messages with words;
//   - 1,000,000 events exactly, each issue's first at its first_seen and last at its last_seen;
//     environment, release (per project, following time), level, user, and the custom tags region
//     (8 values), customer (2,000, skewed), browser (frontend projects, 12) or server_name (backend
//     projects, 40), handled; `tags` and `grouping` as the JSON text the digest writes;
//   - issue_tags, issue_users and hourly issue_stats aggregated from exactly those events, and
//     issues.user_count from issue_users, so every counter agrees with the events.
// event_payloads are not seeded (the issue list never reads them).
//
// Run alone: `node --import tsx bench/seed.ts` seeds a database, prints its URL and keeps it.
import { connectPostgres } from '../server/db/url.ts';
import { bootstrap } from '../server/bootstrap.ts';
import { testConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { migrate } from '../server/db/migrate.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';

export const BENCH_TOKEN = 'flt_bench_read_token_0123456789abcdef';
export const BENCH_ORG = 'faultline';

export interface SeedOptions {
  issues?: number;
  events?: number;
  log?: (line: string) => void;
}

export interface SeededDatabase {
  url: string;
  drop(): Promise<void>;
  issues: number;
  events: number;
  seconds: number;
  /** Seconds per step, for the report. */
  steps: Array<[string, number]>;
}

const PROJECTS: Array<{ slug: string; name: string; platform: string; frontend: boolean; share: number }> = [
  // The first is the bootstrap project (my-service), renamed in place.
  { slug: 'my-service', name: 'my-service', platform: 'node', frontend: false, share: 0.4 },
  { slug: 'web-frontend', name: 'Web Frontend', platform: 'javascript', frontend: true, share: 0.25 },
  { slug: 'billing-api', name: 'Billing API', platform: 'python', frontend: false, share: 0.15 },
  { slug: 'mobile-web', name: 'Mobile Web', platform: 'javascript', frontend: true, share: 0.12 },
  { slug: 'ingest-worker', name: 'Ingest Worker', platform: 'go', frontend: false, share: 0.08 },
];

const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

const TYPES = [
  'TypeError', 'ValueError', 'KeyError', 'ConnectionError', 'TimeoutError', 'RangeError', 'ReferenceError', 'DatabaseError',
  'IntegrityError', 'PermissionDenied', 'NotFoundError', 'OperationalError', 'ValidationError', 'AssertionError', 'SerializationError',
];
const PHRASES = [
  "Cannot read properties of undefined (reading 'id') in", 'failed to process', 'timed out while loading', 'could not serialize',
  'unexpected null in', 'duplicate key value in', 'connection reset during', 'permission denied for', 'invalid state for',
  'missing required field in', 'upstream returned 502 for', 'deadlock detected while updating',
];
// 'checkout' is 1 of 20 nouns: the free-text query of bench/read.ts matches ~5 % of titles.
const NOUNS = [
  'payment', 'checkout', 'invoice', 'subscription', 'session', 'cart', 'order', 'webhook', 'user profile', 'shipping label',
  'coupon', 'refund', 'export job', 'search index', 'image upload', 'email digest', 'report', 'tenant', 'api key', 'feature flag',
];
const MODULES = ['billing', 'auth', 'search', 'export', 'notifications', 'api', 'workers', 'accounts', 'catalog', 'storage'];
const FUNCS = ['handleRequest', 'process', 'load', 'save', 'render', 'validate', 'dispatch', 'resolve', 'serialize', 'sync'];
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1', 'ca-central-1'];
const REGION_WEIGHTS = [35, 25, 12, 10, 8, 5, 3, 2];
const BROWSERS = [
  'Chrome 120', 'Chrome 121', 'Safari 17.2', 'Firefox 122', 'Edge 120', 'Mobile Safari 17.1', 'Chrome Mobile 120', 'Samsung Internet 23',
  'Firefox 121', 'Opera 106', 'Safari 16.6', 'Chrome 119',
];

/** A value of `arr` picked by `r` in [0, 1) with probabilities ∝ `weights` (SQL CASE over cumulative sums). */
function weighted(r: string, values: string[], weights: number[]): string {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  const branches = values.slice(0, -1).map((v, i) => {
    acc += weights[i] / total;
    return `WHEN ${r} < ${acc.toFixed(6)} THEN '${v}'`;
  });
  return `(CASE ${branches.join(' ')} ELSE '${values.at(-1)}' END)`;
}

export async function seedDatabase(opts: SeedOptions = {}): Promise<SeededDatabase> {
  const nIssues = opts.issues ?? Number(process.env.BENCH_SEED_ISSUES ?? 10_000);
  const nEvents = opts.events ?? Number(process.env.BENCH_SEED_EVENTS ?? 1_000_000);
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const steps: Array<[string, number]> = [];
  let last = t0;
  const step = (name: string) => {
    const now = performance.now();
    steps.push([name, (now - last) / 1000]);
    log(`  seed: ${name} ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };

  const created = await createPostgresDatabase('faultline_bench_read');
  // The schema and the first organization, project, admin and token exactly as the server makes them.
  const db = await openDatabase({ url: created.url, poolSize: 1 });
  try {
    await migrate(db);
    await bootstrap(db, testConfig({ FAULTLINE_ADMIN_TOKEN: BENCH_TOKEN }).admin, 'http://localhost:8000');
  } finally {
    await db.close();
  }
  step('schema + bootstrap');

  const sql = connectPostgres(created.url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '256MB'; SET TimeZone = 'UTC'`);

    // ------------------------------------------------------------ projects
    const [{ org_id: orgId, team_id: teamId }] = await sql.unsafe<{ org_id: number; team_id: number }[]>(
      `SELECT (SELECT id FROM organizations ORDER BY id LIMIT 1) AS org_id, (SELECT id FROM teams ORDER BY id LIMIT 1) AS team_id`,
    );
    await sql.unsafe(`UPDATE projects SET platform = 'node' WHERE id = 1`);
    for (const p of PROJECTS.slice(1)) {
      const [row] = await sql.unsafe<{ id: number }[]>(
        `INSERT INTO projects (organization_id, slug, name, platform) VALUES ($1, $2, $3, $4) RETURNING id`,
        [orgId, p.slug, p.name, p.platform],
      );
      await sql.unsafe(`INSERT INTO project_teams (project_id, team_id) VALUES ($1, $2)`, [row.id, teamId]);
    }
    const projectRows = await sql.unsafe<{ id: number; slug: string; platform: string }[]>(`SELECT id, slug, platform FROM projects ORDER BY id`);
    const projectIds = projectRows.map((r) => r.id);
    const frontendIds = projectRows.filter((r) => PROJECTS.find((p) => p.slug === r.slug)?.frontend).map((r) => r.id);

    // ------------------------------------------------------------ issues
    // Zipf: rank r (1 = most frequent) gets floor(C / r) events with C chosen so the sum is ~nEvents;
    // the remainder goes to rank 1, so the events add up exactly.
    let harmonic = 0;
    for (let r = 1; r <= nIssues; r++) harmonic += 1 / r;
    const zipfC = nEvents / harmonic;
    await sql.unsafe(`SELECT setseed(0.4242)`);
    await sql.unsafe(`
      CREATE UNLOGGED TABLE bench_seed_issues AS
      WITH base AS (
        SELECT n, random() AS r_rank, random() AS r_proj, random() AS r_first, random() AS r_last, random() AS r_status,
               random() AS r_sub, random() AS r_level, random() AS r_type, random() AS r_phrase, random() AS r_noun,
               random() AS r_noun2, random() AS r_mod, random() AS r_func, random() AS r_env, random() AS r_region, random() AS r_code
        FROM generate_series(1, ${nIssues}) n
      ), ranked AS (
        SELECT b.*, row_number() OVER (ORDER BY r_rank) AS rank FROM base b
      ), counted AS (
        SELECT r.*, floor(${zipfC} / rank)::int8 AS cnt FROM ranked r
      ), sized AS (
        SELECT c.*, cnt + CASE WHEN rank = 1 THEN ${nEvents} - sum(cnt) OVER () ELSE 0 END AS times_seen FROM counted c
      ), shaped AS (
        SELECT s.*,
          (${sqlArray(projectIds.map(String))})[1 + ${projectIds.slice(0, -1).map((_, i) => `(r_proj >= ${PROJECTS.slice(0, i + 1).reduce((a, p) => a + p.share, 0).toFixed(4)})::int`).join(' + ')}]::int AS project_id,
          -- Milliseconds, like every timestamp the digest writes (from JavaScript dates): cursors carry ms.
          date_trunc('milliseconds', now() - interval '30 days' * r_first) AS first_seen,
          ${weighted('r_status', ['unresolved', 'resolved', 'ignored'], [70, 20, 10])} AS status,
          ${weighted('r_level', ['error', 'warning', 'fatal', 'info', 'debug'], [65, 15, 5, 12, 3])} AS level,
          (${sqlArray(TYPES)})[1 + floor(r_type * ${TYPES.length})::int] AS etype,
          (${sqlArray(PHRASES)})[1 + floor(r_phrase * ${PHRASES.length})::int] AS phrase,
          (${sqlArray(NOUNS)})[1 + floor(r_noun * ${NOUNS.length})::int] AS noun,
          (${sqlArray(NOUNS)})[1 + floor(r_noun2 * ${NOUNS.length})::int] AS noun2,
          (${sqlArray(MODULES)})[1 + floor(r_mod * ${MODULES.length})::int] AS module,
          (${sqlArray(FUNCS)})[1 + floor(r_func * ${FUNCS.length})::int] AS func,
          ${weighted('r_env', ['production', 'staging', 'development'], [75, 18, 7])} AS main_env,
          ${weighted('r_region', REGIONS, REGION_WEIGHTS)} AS main_region,
          (1000 + floor(r_code * 9000))::int AS code
        FROM sized s
      )
      SELECT n, rank, times_seen, project_id, first_seen,
        -- last seen: between first seen and now, mostly close to now (r_last² is skewed towards 0).
        CASE WHEN times_seen = 1 THEN first_seen ELSE date_trunc('milliseconds', now() - (now() - first_seen) * (r_last * r_last)) END AS last_seen,
        status, r_sub, level, etype, phrase, noun, noun2, module, func, main_env, main_region, code
      FROM shaped`);

    await sql.unsafe(`
      INSERT INTO issues (project_id, short_id, primary_hash, grouping_version, type, title, culprit, message, level, platform,
                          metadata, status, substatus, status_details, resolved_at, first_seen, last_seen, times_seen, user_count,
                          first_release, created_at)
      SELECT s.project_id,
        row_number() OVER (PARTITION BY s.project_id ORDER BY s.first_seen, s.n),
        md5('bench-issue-' || s.n), 'faultline:1',
        CASE WHEN s.level IN ('info', 'debug') THEN 'default' ELSE 'error' END,
        CASE WHEN s.level IN ('info', 'debug') THEN initcap(s.phrase) || ' ' || s.noun || ' (code ' || s.code || ')'
             ELSE s.etype || ': ' || s.phrase || ' ' || s.noun || ' (code ' || s.code || ')' END,
        'app/' || s.module || '/' || replace(s.noun2, ' ', '_') || '.ts in ' || s.func,
        CASE WHEN s.level IN ('info', 'debug') THEN initcap(s.phrase) || ' ' || s.noun || ' (code ' || s.code || ')'
             ELSE s.etype || ': ' || s.phrase || ' ' || s.noun || ' (code ' || s.code || ')' END
          || ' while handling ' || s.noun2 || ' request for tenant ' || (s.code % 97) || ' in module ' || s.module,
        s.level, p.platform,
        jsonb_build_object('type', s.etype, 'value', s.phrase || ' ' || s.noun || ' (code ' || s.code || ')',
                           'filename', 'app/' || s.module || '/' || replace(s.noun2, ' ', '_') || '.ts', 'function', s.func),
        s.status,
        CASE WHEN s.status <> 'unresolved' THEN NULL WHEN s.r_sub < 0.1 THEN 'regressed'
             WHEN s.first_seen > now() - interval '3 days' THEN 'new' ELSE 'ongoing' END,
        '{}'::jsonb,
        CASE WHEN s.status = 'resolved' THEN s.last_seen + interval '1 hour' END,
        s.first_seen, s.last_seen, s.times_seen, 0,
        NULL, s.first_seen
      FROM bench_seed_issues s JOIN projects p ON p.id = s.project_id
      ORDER BY s.first_seen, s.n`);
    await sql.unsafe(`ALTER TABLE bench_seed_issues ADD COLUMN issue_id int8`);
    await sql.unsafe(`UPDATE bench_seed_issues s SET issue_id = i.id FROM issues i WHERE i.primary_hash = md5('bench-issue-' || s.n)`);
    await sql.unsafe(`UPDATE projects p SET issue_counter = c.m FROM (SELECT project_id, max(short_id) AS m FROM issues GROUP BY project_id) c WHERE c.project_id = p.id`);
    step(`${nIssues.toLocaleString('en-US')} issues`);

    // ------------------------------------------------------------ events (typed, then as stored)
    // One row per event with every attribute typed, so the derived tables aggregate columns instead
    // of parsing JSON. Event k of n: k = 0 at first_seen, k = n-1 at last_seen, the rest in between.
    const frontend = frontendIds.length > 0 ? `s.project_id IN (${frontendIds.join(', ')})` : 'FALSE';
    await sql.unsafe(`
      CREATE UNLOGGED TABLE bench_seed_events AS
      SELECT s.issue_id, s.project_id, gen_random_uuid() AS event_id, ts,
        CASE WHEN k = s.times_seen - 1 OR r1 < 0.95 THEN s.level ELSE 'error' END AS level,
        CASE WHEN r2 < 0.85 THEN s.main_env ELSE ${weighted('r3', ['production', 'staging', 'development'], [60, 30, 10])} END AS environment,
        p.slug || '@1.' || greatest(0, least(19, floor(20 * extract(epoch FROM ts - (now() - interval '30 days')) / 2592000)::int - (r4 < 0.1)::int)) || '.0' AS release,
        CASE WHEN r5 < 0.85 THEN 'id:' || floor(50000 * r6 * r6)::int END AS user_key,
        -- Most of an issue's events come from its home region (a deployment), the rest from anywhere.
        CASE WHEN r7 < 0.9 THEN s.main_region ELSE ${weighted('r11', REGIONS, REGION_WEIGHTS)} END AS region,
        'cust-' || lpad(floor(2000 * r8 * r8 * r8)::int::text, 4, '0') AS customer,
        CASE WHEN ${frontend} THEN (${sqlArray(BROWSERS)})[1 + floor(r9 * r9 * ${BROWSERS.length})::int] END AS browser,
        CASE WHEN NOT (${frontend}) THEN 'srv-' || lpad((1 + floor(r9 * 40))::int::text, 2, '0') END AS server_name,
        CASE WHEN s.level IN ('info', 'debug') THEN NULL WHEN r10 < 0.8 THEN 'yes' ELSE 'no' END AS handled
      FROM (
        -- random() in a subquery's select list is evaluated once per row (a LATERAL subquery
        -- without outer references would be evaluated once for all rows).
        SELECT x.*, CASE WHEN x.k = 0 THEN x.first_seen WHEN x.k = x.times_seen - 1 THEN x.last_seen
                         ELSE date_trunc('milliseconds', x.first_seen + (x.last_seen - x.first_seen) * x.r0) END AS ts
        FROM (
          SELECT s.*, k, random() AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                 random() AS r6, random() AS r7, random() AS r8, random() AS r9, random() AS r10, random() AS r11
          FROM bench_seed_issues s CROSS JOIN LATERAL generate_series(0, s.times_seen - 1) k
        ) x
      ) s
      JOIN projects p ON p.id = s.project_id`);
    step(`${nEvents.toLocaleString('en-US')} typed events generated`);

    // The `tags` JSON lists the same pairs in the digest's order (own tags, then derived ones).
    const pair = (key: string, col: string) => `CASE WHEN ${col} IS NOT NULL THEN ',["${key}",' || to_json(${col})::text || ']' ELSE '' END`;
    await sql.unsafe(`
      INSERT INTO events (project_id, event_id, issue_id, timestamp, received, level, platform, environment, release, title, message,
                          user_key, user_info, tags, grouping)
      SELECT e.project_id, e.event_id, e.issue_id, e.ts, e.ts + interval '40 milliseconds', e.level, i.platform, e.environment, e.release,
        i.title, i.message, e.user_key,
        CASE WHEN e.user_key IS NOT NULL THEN '{"id":"' || substr(e.user_key, 4) || '","ip_address":"10.0.' || (length(e.user_key) * 7 % 255) || '.1"}' END,
        '[' || '["region",' || to_json(e.region)::text || ']' || ${pair('customer', 'e.customer')} || ${pair('browser', 'e.browser')}
          || ${pair('server_name', 'e.server_name')} || ',["level",' || to_json(e.level)::text || ']'
          || ',["environment",' || to_json(e.environment)::text || ']' || ',["release",' || to_json(e.release)::text || ']'
          || ${pair('handled', 'e.handled')} || ${pair('user', 'e.user_key')} || ']',
        '{"version":"faultline:1","hash":"' || i.primary_hash || '","hashes":["' || i.primary_hash || '"],"variant":"app"}'
      FROM bench_seed_events e JOIN issues i ON i.id = e.issue_id`);
    step('events inserted');

    // ------------------------------------------------------------ what the digest derives
    await sql.unsafe(`
      INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)
      SELECT e.issue_id, kv.key, kv.value, count(*), min(e.ts), max(e.ts)
      FROM bench_seed_events e
      CROSS JOIN LATERAL (VALUES ('level', e.level), ('environment', e.environment), ('release', e.release), ('region', e.region),
                                 ('customer', e.customer), ('browser', e.browser), ('server_name', e.server_name),
                                 ('handled', e.handled), ('user', e.user_key)) AS kv(key, value)
      WHERE kv.value IS NOT NULL
      GROUP BY e.issue_id, kv.key, kv.value`);
    step('issue_tags');
    await sql.unsafe(`INSERT INTO issue_users (issue_id, user_key) SELECT DISTINCT issue_id, user_key FROM bench_seed_events WHERE user_key IS NOT NULL`);
    await sql.unsafe(`UPDATE issues i SET user_count = u.n FROM (SELECT issue_id, count(*) AS n FROM issue_users GROUP BY issue_id) u WHERE u.issue_id = i.id`);
    await sql.unsafe(`
      INSERT INTO issue_stats (issue_id, bucket, count)
      SELECT issue_id, date_trunc('hour', ts), count(*) FROM bench_seed_events GROUP BY 1, 2`);
    await sql.unsafe(`
      UPDATE issues i SET first_release = r.release
      FROM (SELECT DISTINCT ON (issue_id) issue_id, release FROM bench_seed_events ORDER BY issue_id, ts) r WHERE r.issue_id = i.id`);
    step('issue_users, issue_stats, first_release');

    await sql.unsafe(`DROP TABLE bench_seed_events; DROP TABLE bench_seed_issues`);
    // A settled database, as autovacuum would leave it: statistics and the visibility map.
    // issues was rewritten by the updates above: compact it as a long-running table would be (fillfactor kept).
    await sql.unsafe(`VACUUM FULL issues`);
    await sql.unsafe(`VACUUM ANALYZE issues, events, issue_tags, issue_users, issue_stats, projects`);
    step('vacuum analyze');
  } catch (err) {
    await sql.end();
    await created.drop();
    throw err;
  }
  await sql.end();
  return { url: created.url, drop: created.drop, issues: nIssues, events: nEvents, seconds: (performance.now() - t0) / 1000, steps };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seeded = await seedDatabase({ log: console.log });
  console.log(`seeded ${seeded.issues} issues and ${seeded.events} events in ${seeded.seconds.toFixed(1)} s: ${seeded.url}`);
}
