// Merging issues into one, and unmerging a fingerprint back into an issue of its own (Sentry's
// merge and unmerge). Both run in one transaction that first locks the issues in id order, as the
// digest does (lockIssues in pipeline/digest-reopen.ts), so a concurrent batch waits for it or finishes first.
// A batch that grouped events into an issue merged away meanwhile follows the issue's hashes to the
// survivor when it locks (BatchCounters.handleGone).
import type { Database, Queryable, Tx } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import { pgJson, pgText } from '../db/text.ts';
import { ApiError } from '../errors.ts';
import { eventDisplay } from '../pipeline/eventtype.ts';
import type { NormalizedEvent } from '../pipeline/normalize.ts';
import { ignoreDetailsOf } from '../pipeline/regression.ts';
import { getIssueEvent } from './events.ts';
import { addActivities, lockIssueRows } from './issue-status.ts';

interface MergeRow {
  id: number;
  project_id: number;
  times_seen: number;
  user_count: number;
  first_seen: unknown;
  last_seen: unknown;
  first_release: string | null;
  status_details: Record<string, unknown> | null;
  assignee_user_id: number | null;
  assignee_team_id: number | null;
}

/**
 * Merges the issues into the one with the most events (ties: the first named). The survivor keeps
 * every fingerprint (so future events of any of them land on it), the events, tags, users, stats and
 * activity; counts are summed; the others are deleted. All issues must be of one project.
 */
export async function mergeIssues(db: Database, issueIds: number[], userId: number | null): Promise<{ parent: number; children: number[] }> {
  const ids = [...new Set(issueIds)];
  if (ids.length < 2) throw new ApiError(400, 'merging needs at least two issues');
  return db.begin(async (tx) => {
    const rows = await lockIssueRows<MergeRow>(
      tx,
      ids,
      'id, project_id, times_seen, user_count, first_seen, last_seen, first_release, status_details, assignee_user_id, assignee_team_id',
    );
    if (rows.length < 2) throw new ApiError(400, 'merging needs at least two issues');
    if (new Set(rows.map((r) => r.project_id)).size > 1) throw new ApiError(400, 'issues of different projects cannot be merged');
    const order = new Map(ids.map((id, i) => [id, i]));
    const sorted = [...rows].sort((a, b) => Number(b.times_seen) - Number(a.times_seen) || order.get(Number(a.id))! - order.get(Number(b.id))!);
    const survivor = sorted[0];
    const parent = Number(survivor.id);
    const children = sorted.slice(1).map((r) => Number(r.id));

    await tx.query('UPDATE issue_hashes SET issue_id = $1 WHERE issue_id = ANY($2::int8[])', [parent, children]);
    await tx.query('UPDATE events SET issue_id = $1 WHERE issue_id = ANY($2::int8[])', [parent, children]);
    await tx.query('UPDATE activities SET issue_id = $1 WHERE issue_id = ANY($2::int8[])', [parent, children]);
    await tx.query(
      `INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)
       SELECT $1, key, value, sum(times_seen), min(first_seen), max(last_seen) FROM issue_tags
       WHERE issue_id = ANY($2::int8[]) GROUP BY key, value ORDER BY key, value
       ON CONFLICT (issue_id, key, value) DO UPDATE SET
         times_seen = issue_tags.times_seen + excluded.times_seen,
         first_seen = LEAST(issue_tags.first_seen, excluded.first_seen),
         last_seen = GREATEST(issue_tags.last_seen, excluded.last_seen)`,
      [parent, children],
    );
    await tx.query(
      `INSERT INTO issue_users (issue_id, user_key) SELECT DISTINCT $1::int8, user_key FROM issue_users WHERE issue_id = ANY($2::int8[])
       ORDER BY 2 ON CONFLICT DO NOTHING`,
      [parent, children],
    );
    await tx.query(
      `INSERT INTO issue_stats (issue_id, bucket, count)
       SELECT $1, bucket, sum(count) FROM issue_stats WHERE issue_id = ANY($2::int8[]) GROUP BY bucket ORDER BY bucket
       ON CONFLICT (issue_id, bucket) DO UPDATE SET count = issue_stats.count + excluded.count`,
      [parent, children],
    );
    for (const table of ['issue_tags', 'issue_users', 'issue_stats']) await tx.query(`DELETE FROM ${table} WHERE issue_id = ANY($1::int8[])`, [children]);

    const earliest = [...rows].sort((a, b) => toDate(a.first_seen).getTime() - toDate(b.first_seen).getTime())[0];
    const added = rows.filter((r) => Number(r.id) !== parent).reduce((n, r) => n + Number(r.times_seen), 0);
    const [{ users }] = await tx.query<{ users: number }>('SELECT count(*)::int AS users FROM issue_users WHERE issue_id = $1', [parent]);
    // An ignored survivor counts "N more events/users" from its snapshot: what the merge brings is not new.
    let details = survivor.status_details;
    const ignore = ignoreDetailsOf(details);
    if (ignore.state) {
      details = { ...details, state: { ...ignore.state, timesSeen: ignore.state.timesSeen + added, userCount: ignore.state.userCount + (Number(users) - Number(survivor.user_count)) } };
    }
    const assignee = [survivor, ...sorted.slice(1)].find((r) => r.assignee_user_id != null || r.assignee_team_id != null);
    await tx.query(
      `UPDATE issues SET times_seen = $2, user_count = $3, first_seen = $4::timestamptz, last_seen = $5::timestamptz,
         first_release = $6, status_details = $7::jsonb, assignee_user_id = $8, assignee_team_id = $9
       WHERE id = $1`,
      [
        parent,
        rows.reduce((n, r) => n + Number(r.times_seen), 0),
        users,
        toDate(earliest.first_seen).toISOString(),
        new Date(Math.max(...rows.map((r) => toDate(r.last_seen).getTime()))).toISOString(),
        survivor.first_release ?? earliest.first_release,
        JSON.stringify(details ?? {}),
        assignee?.assignee_user_id ?? null,
        assignee?.assignee_team_id ?? null,
      ],
    );
    await tx.query('DELETE FROM issues WHERE id = ANY($1::int8[])', [children]);
    await addActivities(tx, [{ issueId: parent, userId, type: 'merge', data: { issues: children.map((id) => ({ id: String(id) })) } }]);
    return { parent, children };
  });
}

/**
 * Moves fingerprints of an issue back into a new issue of their own, with the events they grouped
 * (an event belongs to the first of its hashes that leads to the issue). The new issue's counts, tags,
 * users and stats are computed from its events and taken off the source issue. Returns the new issue.
 */
export async function unmergeHashes(db: Database, issueId: number, hashes: string[], userId: number | null): Promise<{ id: number }> {
  const moved = [...new Set(hashes)].sort();
  if (moved.length === 0) throw new ApiError(400, 'name the hashes to unmerge with id= parameters');
  const check = async (q: Queryable) => {
    const rows = await q.query<{ hash: string }>('SELECT h.hash FROM issue_hashes h JOIN issues i ON i.id = h.issue_id AND i.project_id = h.project_id WHERE h.issue_id = $1', [issueId]);
    const own = new Set(rows.map((r) => r.hash));
    const foreign = moved.find((h) => !own.has(h));
    if (foreign) throw new ApiError(400, `"${foreign.slice(0, 64)}" is not a hash of this issue`);
    if (moved.length >= own.size) throw new ApiError(400, 'an issue must keep at least one hash: cannot unmerge all of them');
    return [...own];
  };
  await check(db);
  // The new issue's short id, in its own short transaction: the digest takes a project's counter
  // before locking issues, so taking it here while holding the issue lock could deadlock with it.
  const [{ project_id: projectId }] = await db.query<{ project_id: number }>('SELECT project_id FROM issues WHERE id = $1', [issueId]);
  const [{ issue_counter: shortId }] = await db.query<{ issue_counter: number }>('UPDATE projects SET issue_counter = issue_counter + 1 WHERE id = $1 RETURNING issue_counter', [projectId]);

  return db.begin(async (tx) => {
    const [source] = await lockIssueRows<Record<string, unknown>>(tx, [issueId], '*');
    if (!source) throw new ApiError(404, 'issue not found');
    const own = await check(tx);
    const keep = own.filter((h) => !moved.includes(h)).sort();
    const primary = moved.includes(source.primary_hash as string) ? keep[0] : (source.primary_hash as string);
    if (primary !== source.primary_hash) await tx.query('UPDATE issues SET primary_hash = $2 WHERE id = $1', [issueId, primary]);
    const newPrimary = moved.includes(source.primary_hash as string) ? (source.primary_hash as string) : moved[0];

    const [created] = await tx.query<{ id: number }>(
      `INSERT INTO issues (project_id, short_id, primary_hash, grouping_version, type, title, culprit, message, level, platform,
                           metadata, status, substatus, first_seen, last_seen, times_seen, user_count)
       SELECT project_id, $2, $3, grouping_version, type, title, culprit, message, level, platform,
              metadata, 'unresolved', 'new', first_seen, last_seen, 0, 0 FROM issues WHERE id = $1
       RETURNING id`,
      [issueId, shortId, newPrimary],
    );
    const target = Number(created.id);

    // Events: by the first of their hashes that led to the source issue.
    await tx.query(
      `UPDATE events e SET issue_id = $2 WHERE e.issue_id = $1 AND (
         SELECT g.hash FROM json_array_elements_text(e.grouping::json->'hashes') WITH ORDINALITY AS g(hash, n)
         WHERE g.hash = ANY($3::text[]) ORDER BY g.n LIMIT 1) = ANY($4::text[])`,
      [issueId, target, own, moved],
    );
    await tx.query('UPDATE issue_hashes SET issue_id = $2 WHERE project_id = $3 AND hash = ANY($1::text[])', [moved, target, projectId]);
    await rebuildCounters(tx, target);
    await subtractCounters(tx, issueId, target);
    await presentFromLatestEvent(tx, target);
    // The source reads as what it still holds (its latest event may have moved).
    await presentFromLatestEvent(tx, issueId);

    await addActivities(tx, [
      { issueId, userId, type: 'unmerge_source', data: { fingerprints: moved, destination_id: String(target) } },
      { issueId: target, userId, type: 'unmerge_destination', data: { fingerprints: moved, source_id: String(issueId) } },
    ]);
    return { id: target };
  });
}

/** Counts, tags, users and stats of an issue computed from its events (the new issue of an unmerge). */
async function rebuildCounters(tx: Tx, issueId: number): Promise<void> {
  await tx.query(
    `INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)
     SELECT $1, t->>0, t->>1, count(*), min(e.timestamp), max(e.timestamp)
     FROM events e CROSS JOIN LATERAL json_array_elements(e.tags::json) AS t
     WHERE e.issue_id = $1 GROUP BY t->>0, t->>1`,
    [issueId],
  );
  await tx.query(`INSERT INTO issue_users (issue_id, user_key) SELECT DISTINCT $1::int8, user_key FROM events WHERE issue_id = $1 AND user_key IS NOT NULL`, [issueId]);
  await tx.query(
    `INSERT INTO issue_stats (issue_id, bucket, count)
     SELECT $1, date_trunc('hour', timestamp, 'UTC'), count(*) FROM events WHERE issue_id = $1 GROUP BY 2`,
    [issueId],
  );
  await tx.query(
    `UPDATE issues i SET times_seen = c.n, first_seen = COALESCE(c.first, i.first_seen), last_seen = COALESCE(c.last, i.last_seen),
       user_count = (SELECT count(*) FROM issue_users WHERE issue_id = $1),
       first_release = (SELECT release FROM events WHERE issue_id = $1 ORDER BY timestamp, event_id LIMIT 1)
     FROM (SELECT count(*) AS n, min(timestamp) AS first, max(timestamp) AS last FROM events WHERE issue_id = $1) c
     WHERE i.id = $1`,
    [issueId],
  );
}

/** Takes what moved to `target` off `source`: counts, tag values, stats, and users no event of it has any more. */
async function subtractCounters(tx: Tx, source: number, target: number): Promise<void> {
  await tx.query(
    `UPDATE issue_tags s SET times_seen = s.times_seen - t.times_seen FROM issue_tags t
     WHERE t.issue_id = $2 AND s.issue_id = $1 AND s.key = t.key AND s.value = t.value`,
    [source, target],
  );
  await tx.query('DELETE FROM issue_tags WHERE issue_id = $1 AND times_seen <= 0', [source]);
  await tx.query(
    `UPDATE issue_stats s SET count = s.count - t.count FROM issue_stats t
     WHERE t.issue_id = $2 AND s.issue_id = $1 AND s.bucket = t.bucket`,
    [source, target],
  );
  await tx.query('DELETE FROM issue_stats WHERE issue_id = $1 AND count <= 0', [source]);
  await tx.query(
    `DELETE FROM issue_users u WHERE u.issue_id = $1
       AND u.user_key IN (SELECT user_key FROM issue_users WHERE issue_id = $2)
       AND u.user_key NOT IN (SELECT DISTINCT e.user_key FROM events e WHERE e.issue_id = $1 AND e.user_key IS NOT NULL
                              AND e.user_key IN (SELECT user_key FROM issue_users WHERE issue_id = $2))`,
    [source, target],
  );
  await tx.query(
    `UPDATE issues i SET times_seen = GREATEST(i.times_seen - t.times_seen, 0),
       user_count = (SELECT count(*) FROM issue_users WHERE issue_id = $1),
       first_seen = COALESCE(c.first, i.first_seen), last_seen = COALESCE(c.last, i.last_seen)
     FROM issues t, (SELECT min(timestamp) AS first, max(timestamp) AS last FROM events WHERE issue_id = $1) c
     WHERE i.id = $1 AND t.id = $2`,
    [source, target],
  );
}

/** Title, culprit, level and metadata of an issue from its latest event, as the digest derives them. */
async function presentFromLatestEvent(tx: Tx, issueId: number): Promise<void> {
  const ev = await getIssueEvent(tx, issueId, 'latest');
  if (!ev?.data) return;
  let display;
  try {
    display = eventDisplay(ev.data as unknown as NormalizedEvent);
  } catch {
    return;
  }
  await tx.query('UPDATE issues SET type = $2, title = $3, culprit = $4, message = $5, level = $6, platform = $7, metadata = $8::jsonb WHERE id = $1', [
    issueId,
    display.type,
    pgText(display.title),
    pgText(display.culprit),
    pgText(display.message),
    ev.level,
    ev.platform,
    pgJson(display.metadata),
  ]);
}
