// Digest step: find or create the issue of every event, and insert the events (deduplicated on
// project + event_id). Runs inside the digest transaction, one chunk of the batch at a time.
import { PREPARED, type Tx } from '../db/client.ts';
import { recordset, recordsetParam } from '../db/recordset.ts';
import { valuesList } from '../db/values.ts';
import type { PreparedEvent } from './prepare.ts';

const hashKey = (projectId: number, hash: string) => `${projectId}:${hash}`;

/**
 * Maps every event to its issue id, creating issues for hashes seen for the first time.
 * `components(e)` gives the grouping components of an event whose hash is new (see prepare.ts).
 */
export async function resolveIssues(tx: Tx, events: PreparedEvent[], components: (e: PreparedEvent) => string): Promise<Map<PreparedEvent, number>> {
  const wanted = new Map<string, [number, string]>();
  for (const e of events) for (const h of e.hashes) wanted.set(hashKey(e.projectId, h), [e.projectId, h]);
  const known = new Map<string, number>();
  const pairs = [...wanted.values()];
  const found = await tx.query<{ project_id: number; hash: string; issue_id: number }>(
    `SELECT h.project_id, h.hash, h.issue_id FROM issue_hashes h
     JOIN ${recordset(1, [['project_id', 'int'], ['hash', 'text']], 'w')} ON h.project_id = w.project_id AND h.hash = w.hash`,
    [recordsetParam(pairs.map(([project_id, hash]) => ({ project_id, hash })))],
    PREPARED,
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
      PREPARED,
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
      PREPARED,
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
  const newHashes: Array<[number, string, number, string, string]> = [];
  const mapped = new Set(found.map((r) => hashKey(r.project_id, r.hash)));
  for (const e of events) {
    const id = issueOf.get(e) ?? known.get(hashKey(e.projectId, e.primaryHash));
    if (id === undefined) continue; // its project vanished meanwhile
    issueOf.set(e, id);
    for (const h of e.hashes) {
      const k = hashKey(e.projectId, h);
      if (mapped.has(k)) continue;
      mapped.add(k);
      newHashes.push([e.projectId, h, id, e.groupingVersion, components(e)]);
    }
  }
  if (newHashes.length > 0) {
    await tx.query(
      `INSERT INTO issue_hashes (project_id, hash, issue_id, grouping_version, components)
       VALUES ${valuesList(newHashes.length, ['int', 'text', 'int8', 'text', 'jsonb'])}
       ON CONFLICT (project_id, hash) DO NOTHING`,
      newHashes.flat(),
    );
  }
  return issueOf;
}

const EVENT_COLUMNS = [
  ['project_id', 'int'],
  ['event_id', 'uuid'],
  ['issue_id', 'int8'],
  ['timestamp', 'timestamptz'],
  ['received', 'timestamptz'],
  ['level', 'text'],
  ['platform', 'text'],
  ['environment', 'text'],
  ['release', 'text'],
  ['title', 'text'],
  ['message', 'text'],
  ['user_key', 'text'],
  ['user_info', 'text'],
  ['tags', 'text'],
  ['grouping', 'text'],
] as const;
const EVENT_COLUMN_LIST = EVENT_COLUMNS.map(([c]) => c).join(', ');

/** Inserts the events; returns those that were new (a retried event_id is skipped). */
export async function insertEvents(tx: Tx, events: PreparedEvent[], issueOf: Map<PreparedEvent, number>): Promise<PreparedEvent[]> {
  const rows = events.filter((e) => issueOf.has(e));
  if (rows.length === 0) return [];
  const records = rows.map((e) => ({
    project_id: e.projectId,
    event_id: e.eventId,
    issue_id: issueOf.get(e)!,
    timestamp: e.timestamp.toISOString(),
    received: e.received.toISOString(),
    level: e.level,
    platform: e.platform,
    environment: e.environment,
    release: e.release,
    title: e.title,
    message: e.message,
    user_key: e.userKey,
    user_info: e.userInfoJson,
    tags: e.tagsJson,
    grouping: e.groupingJson,
  }));
  const inserted = await tx.query<{ project_id: number; event_id: string }>(
    `INSERT INTO events (${EVENT_COLUMN_LIST})
     SELECT ${EVENT_COLUMN_LIST} FROM ${recordset(1, EVENT_COLUMNS)}
     ON CONFLICT (project_id, event_id) DO NOTHING
     RETURNING project_id, replace(event_id::text, '-', '') AS event_id`,
    [recordsetParam(records)],
    PREPARED,
  );
  const isNew = new Set(inserted.map((r) => `${r.project_id}:${r.event_id}`));
  return rows.filter((e) => isNew.has(`${e.projectId}:${e.eventId}`));
}
