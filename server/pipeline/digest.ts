// The digest (architecture step 3): claim a batch from the queue, group it, and store it in ONE
// transaction: find or create the issues, insert the events (deduplicated on project + event_id),
// bump counters, users, tags and hourly stats, reopen regressed issues, and delete the batch from the
// queue. A crash anywhere rolls the whole batch back onto the queue: nothing lost, nothing counted twice.
import type { Tx } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import { valuesList } from '../db/values.ts';
import { prepareEvent, type PreparedEvent, type QueueRow } from './prepare.ts';
import { isRegression } from './regression.ts';

export interface BatchResult {
  claimed: number;
  stored: number;
  duplicates: number;
  failed: Array<{ queueId: number; error: string }>;
}

// Timestamp and boolean arrays travel as text[] and are cast in SQL: drizzle replaces postgres.js' serializer for
// timestamptz[] with a pass-through, and postgres.js types a JS boolean array as a scalar bool.
const CLAIM_SQL = `SELECT id, project_id, kind, received_at, payload, meta, attempts FROM ingest_queue
  ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;

export async function digestBatch(tx: Tx, limit: number): Promise<BatchResult> {
  // Safe without waiting for the WAL flush: if this commit is lost in a crash, the queue rows it
  // deleted come back with it, so the batch is digested again and counted once.
  await tx.query('SET LOCAL synchronous_commit = off');
  const rows = await tx.query<QueueRow>(CLAIM_SQL, [limit]);
  const result: BatchResult = { claimed: rows.length, stored: 0, duplicates: 0, failed: [] };
  if (rows.length === 0) return result;

  const prepared: PreparedEvent[] = [];
  for (const row of rows) {
    try {
      prepared.push(prepareEvent(row, toDate(row.received_at)));
    } catch (err) {
      // Deterministic: the same bytes would fail again. Keep them for inspection instead.
      result.failed.push({ queueId: row.id, error: String((err as Error)?.stack ?? err).slice(0, 2000) });
    }
  }
  if (result.failed.length > 0) {
    await tx.query(
      `WITH f AS (SELECT * FROM unnest($1::int8[], $2::text[]) AS f(id, error)),
            d AS (DELETE FROM ingest_queue q USING f WHERE q.id = f.id RETURNING q.*, f.error)
       INSERT INTO ingest_failed (project_id, kind, received_at, payload, meta, error)
       SELECT project_id, kind, received_at, payload, meta, error FROM d`,
      [result.failed.map((f) => f.queueId), result.failed.map((f) => f.error)],
    );
  }

  // One event per (project, event_id) within the batch: a retry that arrived twice counts once.
  const unique = new Map<string, PreparedEvent>();
  for (const p of prepared) {
    const k = `${p.projectId}:${p.eventId}`;
    if (!unique.has(k)) unique.set(k, p);
  }
  const events = [...unique.values()];
  result.duplicates += prepared.length - events.length;

  if (events.length > 0) {
    const issueOf = await resolveIssues(tx, events);
    const inserted = await insertEvents(tx, events, issueOf);
    result.duplicates += events.length - inserted.length;
    result.stored = inserted.length;
    if (inserted.length > 0) await updateIssues(tx, inserted, issueOf);
  }
  await tx.query('DELETE FROM ingest_queue WHERE id = ANY($1::int8[])', [prepared.map((p) => p.queueId)]);
  return result;
}

const hashKey = (projectId: number, hash: string) => `${projectId}:${hash}`;

/** Maps every event to its issue id, creating issues for hashes seen for the first time. */
async function resolveIssues(tx: Tx, events: PreparedEvent[]): Promise<Map<PreparedEvent, number>> {
  const wanted = new Map<string, [number, string]>();
  for (const e of events) for (const h of e.hashes) wanted.set(hashKey(e.projectId, h), [e.projectId, h]);
  const known = new Map<string, number>();
  const pairs = [...wanted.values()];
  const found = await tx.query<{ project_id: number; hash: string; issue_id: number }>(
    `SELECT h.project_id, h.hash, h.issue_id FROM issue_hashes h
     JOIN unnest($1::int[], $2::text[]) AS w(project_id, hash) ON h.project_id = w.project_id AND h.hash = w.hash`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  );
  for (const r of found) known.set(hashKey(r.project_id, r.hash), r.issue_id);

  const issueOf = new Map<PreparedEvent, number>();
  // Events whose hashes are all new create one issue per (project, primary hash); the first event
  // (oldest in the batch) gives the issue its initial title and times.
  const creators = new Map<string, { first: PreparedEvent; minTs: Date; maxTs: Date }>();
  for (const e of events) {
    const hit = e.hashes.find((h) => known.has(hashKey(e.projectId, h)));
    if (hit) {
      issueOf.set(e, known.get(hashKey(e.projectId, hit))!);
      continue;
    }
    const k = hashKey(e.projectId, e.primaryHash);
    const c = creators.get(k);
    if (!c) creators.set(k, { first: e, minTs: e.timestamp, maxTs: e.timestamp });
    else {
      if (e.timestamp < c.minTs) c.minTs = e.timestamp;
      if (e.timestamp > c.maxTs) c.maxTs = e.timestamp;
    }
  }

  if (creators.size > 0) {
    const list = [...creators.values()];
    // Short ids (PROJECT-1, -2, ...) come from a per-project counter; concurrent workers serialize here.
    const perProject = new Map<number, number>();
    for (const c of list) perProject.set(c.first.projectId, (perProject.get(c.first.projectId) ?? 0) + 1);
    const projectIds = [...perProject.keys()].sort((a, b) => a - b);
    const counters = await tx.query<{ id: number; issue_counter: number }>(
      `UPDATE projects p SET issue_counter = p.issue_counter + n.n
       FROM unnest($1::int[], $2::int[]) AS n(id, n) WHERE p.id = n.id RETURNING p.id, p.issue_counter`,
      [projectIds, projectIds.map((id) => perProject.get(id)!)],
    );
    const next = new Map(counters.map((r) => [r.id, r.issue_counter - perProject.get(r.id)! + 1]));
    const live = list.filter((c) => next.has(c.first.projectId)); // a project deleted meanwhile: drop its events
    const shortIds = live.map((c) => {
      const id = next.get(c.first.projectId)!;
      next.set(c.first.projectId, id + 1);
      return id;
    });
    const created = await tx.query<{ id: number; project_id: number; primary_hash: string }>(
      `INSERT INTO issues (project_id, short_id, primary_hash, grouping_version, type, title, culprit, message,
                           level, platform, metadata, first_seen, last_seen, first_release)
       SELECT project_id, short_id, primary_hash, grouping_version, type, title, culprit, message,
              level, platform, metadata::jsonb, first_seen, last_seen, first_release
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::text[], $11::text[], $12::text[]::timestamptz[], $13::text[]::timestamptz[], $14::text[])
         AS n(project_id, short_id, primary_hash, grouping_version, type, title, culprit, message,
              level, platform, metadata, first_seen, last_seen, first_release)
       ON CONFLICT (project_id, primary_hash) DO NOTHING
       RETURNING id, project_id, primary_hash`,
      [
        live.map((c) => c.first.projectId),
        shortIds,
        live.map((c) => c.first.primaryHash),
        live.map((c) => c.first.groupingVersion),
        live.map((c) => c.first.type),
        live.map((c) => c.first.title),
        live.map((c) => c.first.culprit),
        live.map((c) => c.first.message),
        live.map((c) => c.first.level),
        live.map((c) => c.first.platform),
        live.map((c) => c.first.metadataJson),
        live.map((c) => c.minTs.toISOString()),
        live.map((c) => c.maxTs.toISOString()),
        live.map((c) => c.first.release),
      ],
    );
    for (const r of created) known.set(hashKey(r.project_id, r.primary_hash), r.id);
    // A concurrent worker may have created some of them first (ON CONFLICT DO NOTHING): look those up.
    const missing = live.filter((c) => !known.has(hashKey(c.first.projectId, c.first.primaryHash)));
    if (missing.length > 0) {
      const rows = await tx.query<{ id: number; project_id: number; primary_hash: string }>(
        `SELECT i.id, i.project_id, i.primary_hash FROM issues i
         JOIN unnest($1::int[], $2::text[]) AS m(project_id, hash) ON i.project_id = m.project_id AND i.primary_hash = m.hash`,
        [missing.map((c) => c.first.projectId), missing.map((c) => c.first.primaryHash)],
      );
      for (const r of rows) known.set(hashKey(r.project_id, r.primary_hash), r.id);
    }
  }

  // Every hash an event carried now leads to its issue, so any variant finds it next time.
  const newHashes: Array<[number, string, number, string]> = [];
  const mapped = new Set(found.map((r) => hashKey(r.project_id, r.hash)));
  for (const e of events) {
    const id = issueOf.get(e) ?? known.get(hashKey(e.projectId, e.primaryHash));
    if (id === undefined) continue; // its project vanished meanwhile
    issueOf.set(e, id);
    for (const h of e.hashes) {
      const k = hashKey(e.projectId, h);
      if (mapped.has(k)) continue;
      mapped.add(k);
      newHashes.push([e.projectId, h, id, e.groupingVersion]);
    }
  }
  if (newHashes.length > 0) {
    await tx.query(
      `INSERT INTO issue_hashes (project_id, hash, issue_id, grouping_version)
       SELECT * FROM unnest($1::int[], $2::text[], $3::int8[], $4::text[])
       ON CONFLICT (project_id, hash) DO NOTHING`,
      [newHashes.map((h) => h[0]), newHashes.map((h) => h[1]), newHashes.map((h) => h[2]), newHashes.map((h) => h[3])],
    );
  }
  return issueOf;
}

const EVENT_COLUMN_TYPES = ['int', 'uuid', 'int8', 'timestamptz', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'jsonb', 'jsonb'];

/** Inserts the events; returns those that were new (a retried event_id is skipped). */
async function insertEvents(tx: Tx, events: PreparedEvent[], issueOf: Map<PreparedEvent, number>): Promise<PreparedEvent[]> {
  const rows = events.filter((e) => issueOf.has(e));
  if (rows.length === 0) return [];
  const params: unknown[] = [];
  for (const e of rows) {
    params.push(e.projectId, e.eventId, issueOf.get(e)!, e.timestamp.toISOString(), e.received.toISOString(), e.level, e.platform);
    params.push(e.environment, e.release, e.title, e.message, e.userKey, e.tagsJson, e.dataJson, e.groupingJson);
  }
  const inserted = await tx.query<{ project_id: number; event_id: string }>(
    `INSERT INTO events (project_id, event_id, issue_id, timestamp, received, level, platform, environment, release,
                         title, message, user_key, tags, data, grouping)
     VALUES ${valuesList(rows.length, EVENT_COLUMN_TYPES)}
     ON CONFLICT (project_id, event_id) DO NOTHING
     RETURNING project_id, replace(event_id::text, '-', '') AS event_id`,
    params,
  );
  const isNew = new Set(inserted.map((r) => `${r.project_id}:${r.event_id}`));
  return rows.filter((e) => isNew.has(`${e.projectId}:${e.eventId}`));
}

interface IssueDelta {
  id: number;
  count: number;
  first: Date;
  last: PreparedEvent;
  newUsers: number;
  regressedBy: PreparedEvent | null;
}

const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000).toISOString();

/** Counters, users, tags, stats and regressions for the newly stored events. */
async function updateIssues(tx: Tx, events: PreparedEvent[], issueOf: Map<PreparedEvent, number>): Promise<void> {
  const deltas = new Map<number, IssueDelta>();
  for (const e of events) {
    const id = issueOf.get(e)!;
    const d = deltas.get(id);
    if (!d) deltas.set(id, { id, count: 1, first: e.timestamp, last: e, newUsers: 0, regressedBy: null });
    else {
      d.count++;
      if (e.timestamp < d.first) d.first = e.timestamp;
      if (e.timestamp >= d.last.timestamp) d.last = e;
    }
  }
  const ids = [...deltas.keys()].sort((a, b) => a - b);

  // Lock the issues in id order: two workers touching the same issues then wait instead of deadlocking.
  const current = await tx.query<{ id: number; status: string; status_details: Record<string, unknown> | null; resolved_at: unknown }>(
    'SELECT id, status, status_details, resolved_at FROM issues WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  for (const row of current) {
    const d = deltas.get(row.id)!;
    const state = { status: row.status, statusDetails: row.status_details, resolvedAt: row.resolved_at ? toDate(row.resolved_at) : null };
    for (const e of events) {
      if (issueOf.get(e) === row.id && isRegression(state, e)) {
        d.regressedBy = e;
        break;
      }
    }
  }

  // Distinct users: a user is new to an issue when its (issue, user) row did not exist yet.
  const userPairs = new Map<string, [number, string]>();
  for (const e of events) if (e.userKey) userPairs.set(`${issueOf.get(e)}\u0001${e.userKey}`, [issueOf.get(e)!, e.userKey]);
  if (userPairs.size > 0) {
    const pairs = [...userPairs.values()].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const added = await tx.query<{ issue_id: number }>(
      `INSERT INTO issue_users (issue_id, user_key) SELECT * FROM unnest($1::int8[], $2::text[])
       ON CONFLICT DO NOTHING RETURNING issue_id`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    for (const r of added) deltas.get(r.issue_id)!.newUsers++;
  }

  const list = ids.map((id) => deltas.get(id)!);
  await tx.query(
    `UPDATE issues i SET
       times_seen = i.times_seen + d.n,
       user_count = i.user_count + d.users,
       first_seen = LEAST(i.first_seen, d.first),
       last_seen = GREATEST(i.last_seen, d.last),
       title = CASE WHEN d.last >= i.last_seen THEN d.title ELSE i.title END,
       culprit = CASE WHEN d.last >= i.last_seen THEN d.culprit ELSE i.culprit END,
       message = CASE WHEN d.last >= i.last_seen THEN d.message ELSE i.message END,
       level = CASE WHEN d.last >= i.last_seen THEN d.level ELSE i.level END,
       metadata = CASE WHEN d.last >= i.last_seen THEN d.metadata::jsonb ELSE i.metadata END,
       status = CASE WHEN d.regressed THEN 'unresolved' ELSE i.status END,
       substatus = CASE WHEN d.regressed THEN 'regressed' ELSE i.substatus END,
       status_details = CASE WHEN d.regressed THEN '{}'::jsonb ELSE i.status_details END,
       resolved_at = CASE WHEN d.regressed THEN NULL ELSE i.resolved_at END
     FROM unnest($1::int8[], $2::int[], $3::int[], $4::text[]::timestamptz[], $5::text[]::timestamptz[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::text[], $11::text[]::bool[])
       AS d(id, n, users, first, last, title, culprit, message, level, metadata, regressed)
     WHERE i.id = d.id`,
    [
      list.map((d) => d.id),
      list.map((d) => d.count),
      list.map((d) => d.newUsers),
      list.map((d) => d.first.toISOString()),
      list.map((d) => d.last.timestamp.toISOString()),
      list.map((d) => d.last.title),
      list.map((d) => d.last.culprit),
      list.map((d) => d.last.message),
      list.map((d) => d.last.level),
      list.map((d) => d.last.metadataJson),
      list.map((d) => (d.regressedBy !== null ? 't' : 'f')),
    ],
  );

  const regressed = list.filter((d) => d.regressedBy);
  if (regressed.length > 0) {
    await tx.query(
      `INSERT INTO activities (issue_id, type, data)
       SELECT id, 'set_regression', data::jsonb FROM unnest($1::int8[], $2::text[]) AS r(id, data)`,
      [regressed.map((d) => d.id), regressed.map((d) => JSON.stringify({ eventId: d.regressedBy!.eventId, version: d.regressedBy!.release }))],
    );
  }

  await bumpTags(tx, events, issueOf);
  await bumpStats(tx, events, issueOf);
}

async function bumpTags(tx: Tx, events: PreparedEvent[], issueOf: Map<PreparedEvent, number>): Promise<void> {
  const agg = new Map<string, { issue: number; key: string; value: string; n: number; first: Date; last: Date }>();
  for (const e of events) {
    const issue = issueOf.get(e)!;
    for (const [key, value] of e.tags) {
      const k = `${issue}\u0001${key}\u0001${value}`;
      const a = agg.get(k);
      if (!a) agg.set(k, { issue, key, value, n: 1, first: e.timestamp, last: e.timestamp });
      else {
        a.n++;
        if (e.timestamp < a.first) a.first = e.timestamp;
        if (e.timestamp > a.last) a.last = e.timestamp;
      }
    }
  }
  if (agg.size === 0) return;
  const rows = [...agg.values()].sort((a, b) => a.issue - b.issue || cmp(a.key, b.key) || cmp(a.value, b.value));
  await tx.query(
    `INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)
     SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::int8[], $5::text[]::timestamptz[], $6::text[]::timestamptz[])
     ON CONFLICT (issue_id, key, value) DO UPDATE SET
       times_seen = issue_tags.times_seen + excluded.times_seen,
       first_seen = LEAST(issue_tags.first_seen, excluded.first_seen),
       last_seen = GREATEST(issue_tags.last_seen, excluded.last_seen)`,
    [
      rows.map((r) => r.issue),
      rows.map((r) => r.key),
      rows.map((r) => r.value),
      rows.map((r) => r.n),
      rows.map((r) => r.first.toISOString()),
      rows.map((r) => r.last.toISOString()),
    ],
  );
}

async function bumpStats(tx: Tx, events: PreparedEvent[], issueOf: Map<PreparedEvent, number>): Promise<void> {
  const agg = new Map<string, { issue: number; bucket: string; n: number }>();
  for (const e of events) {
    const issue = issueOf.get(e)!;
    const bucket = hourOf(e.timestamp);
    const k = `${issue}\u0001${bucket}`;
    const a = agg.get(k);
    if (a) a.n++;
    else agg.set(k, { issue, bucket, n: 1 });
  }
  const rows = [...agg.values()].sort((a, b) => a.issue - b.issue || cmp(a.bucket, b.bucket));
  await tx.query(
    `INSERT INTO issue_stats (issue_id, bucket, count)
     SELECT * FROM unnest($1::int8[], $2::text[]::timestamptz[], $3::int[])
     ON CONFLICT (issue_id, bucket) DO UPDATE SET count = issue_stats.count + excluded.count`,
    [rows.map((r) => r.issue), rows.map((r) => r.bucket), rows.map((r) => r.n)],
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
