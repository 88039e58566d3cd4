// Digest step: what the newly stored events of a batch change on their issues: times seen, first and
// last seen, the latest title/level, distinct users, tag value counts, hourly stats, the reopening of
// resolved or ignored issues (decided in digest-reopen.ts), and issues merged away while the batch ran
// (queries/issue-merge.ts).
// Chunks of the batch add small facts here (the events themselves are gone by then) and `flush`
// writes them once per batch, inside the digest transaction: a batch of 2,000 events across 300 issues
// costs one upsert of the issues' ~4,000 tag rows, not one per event.
import type { Tx } from '../db/client.ts';
import { PREPARED } from '../db/client.ts';
import { deleteIssueOwnedRows } from '../db/issue-owned.ts';
import { recordset, recordsetParam } from '../db/recordset.ts';
import type { PreparedEvent } from './prepare.ts';
import { checkIgnored, findRegressions, lockIssues, type BatchIssue, type LockedIssue } from './digest-reopen.ts';

interface Latest {
  timestamp: Date;
  title: string;
  culprit: string;
  message: string;
  level: string;
  metadataJson: string;
}

/** Times seen of one tag value in the batch; first and last as epoch ms. */
interface TagCount {
  key: string;
  value: string;
  n: number;
  first: number;
  last: number;
}

/** What the batch changes on one issue; `reopen` (set by digest-reopen.ts) sends it back to unresolved. */
interface IssueDelta extends BatchIssue {
  first: Date;
  latest: Latest;
  users: Set<string>;
  /** Tag key → value → count. Nested maps: a composite string key per tag was most of add()'s time. */
  tags: Map<string, Map<string, TagCount>>;
  /** Hour bucket (epoch ms) → events. */
  stats: Map<number, number>;
}

/**
 * For issues that no longer exist: the issue their events' hashes lead to now (a merge re-pointed
 * them), by the first of each event's hashes that leads anywhere.
 */
async function mergedInto(tx: Tx, gone: number[]): Promise<Map<number, number>> {
  const rows = await tx.query<{ gone: number; survivor: number }>(
    `SELECT DISTINCT ON (e.issue_id) e.issue_id AS gone, h.issue_id AS survivor
     FROM events e
     CROSS JOIN LATERAL json_array_elements_text(e.grouping::json->'hashes') WITH ORDINALITY AS g(hash, n)
     JOIN issue_hashes h ON h.project_id = e.project_id AND h.hash = g.hash
     JOIN issues i ON i.id = h.issue_id
     WHERE e.issue_id = ANY($1::int8[])
     ORDER BY e.issue_id, g.n`,
    [gone],
  );
  return new Map(rows.map((r) => [Number(r.gone), Number(r.survivor)]));
}

const ISSUE_UPDATE_COLUMNS = [
  ['id', 'int8'],
  ['n', 'int'],
  ['users', 'int'],
  ['first', 'timestamptz'],
  ['last', 'timestamptz'],
  ['title', 'text'],
  ['culprit', 'text'],
  ['message', 'text'],
  ['level', 'text'],
  ['metadata', 'text'],
  ['reopen', 'text'],
] as const;

const TAG_COLUMNS = [
  ['issue', 'int8'],
  ['key', 'text'],
  ['value', 'text'],
  ['n', 'int8'],
  ['first', 'int8'],
  ['last', 'int8'],
] as const;

const HOUR_MS = 3_600_000;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class BatchCounters {
  private issues = new Map<number, IssueDelta>();

  get size(): number {
    return this.issues.size;
  }

  /** Records newly stored events (each with its issue id). */
  add(events: PreparedEvent[], issueOf: Map<PreparedEvent, number>): void {
    for (const e of events) {
      const id = issueOf.get(e)!;
      let d = this.issues.get(id);
      if (!d) {
        d = { id, count: 0, first: e.timestamp, latest: latestOf(e), events: [], users: new Set(), newUsers: 0, reopen: null, tags: new Map(), stats: new Map() };
        this.issues.set(id, d);
      }
      const ms = e.timestamp.getTime();
      d.count++;
      if (ms < d.first.getTime()) d.first = e.timestamp;
      if (ms >= d.latest.timestamp.getTime()) d.latest = latestOf(e);
      d.events.push({ timestamp: e.timestamp, release: e.release, eventId: e.eventId });
      if (e.userKey) d.users.add(e.userKey);
      for (const [key, value] of e.tags) countTag(d.tags, key, value, 1, ms, ms);
      const bucket = Math.floor(ms / HOUR_MS) * HOUR_MS;
      d.stats.set(bucket, (d.stats.get(bucket) ?? 0) + 1);
    }
  }

  /**
   * Writes the batch: locks its issues in id order (two workers then wait instead of deadlocking),
   * follows issues merged away meanwhile, decides regressions and ignore conditions, then bumps
   * counters, users, tags and stats.
   */
  async flush(tx: Tx, now: Date = new Date()): Promise<void> {
    if (this.issues.size === 0) return;
    const ids = [...this.issues.keys()].sort((a, b) => a - b);
    const locked = await lockIssues(tx, ids);
    const gone = ids.filter((id) => !locked.has(id));
    if (gone.length > 0) await this.handleGone(tx, gone, locked);
    if (this.issues.size === 0) return;
    const live = [...this.issues.keys()].sort((a, b) => a - b);
    await findRegressions(tx, this.issues, live.map((id) => locked.get(id)!));
    await this.countNewUsers(tx);
    await checkIgnored(tx, this.issues, live.map((id) => locked.get(id)!), now);
    await this.updateIssues(tx, live);
    await this.bumpTags(tx);
    await this.bumpStats(tx);
  }

  /**
   * Issues gone while this batch ran. Merged into another issue (queries/issue-merge.ts): the hashes
   * that led here now lead to the survivor, so what the batch stored moves there and is counted there.
   * Deleted: what the batch stored for them goes too; the next event with the same fingerprint starts
   * a new issue (the deletion removed its hashes).
   */
  private async handleGone(tx: Tx, gone: number[], locked: Map<number, LockedIssue>): Promise<void> {
    const survivors = await mergedInto(tx, gone);
    const dropped = gone.filter((id) => !survivors.has(id));
    for (const [from, to] of survivors) {
      await tx.query('UPDATE events SET issue_id = $2 WHERE issue_id = $1', [from, to]);
      // Hashes this batch added for the merged issue (after the merge had re-pointed the others).
      await tx.query('UPDATE issue_hashes SET issue_id = $2 WHERE issue_id = $1', [from, to]);
      this.rekey(from, to);
    }
    const more = [...new Set(survivors.values())].filter((id) => !locked.has(id)).sort((a, b) => a - b);
    if (more.length > 0) {
      const rows = await lockIssues(tx, more);
      for (const [id, row] of rows) locked.set(id, row);
      for (const id of more) if (!rows.has(id)) dropped.push(id); // merged, then deleted too
    }
    if (dropped.length > 0) {
      await deleteIssueOwnedRows(tx, dropped);
      for (const id of dropped) this.forget(id);
    }
  }

  private forget(issueId: number): void {
    this.issues.delete(issueId);
  }

  /** Moves what the batch gathered for issue `from` to issue `to`. */
  private rekey(from: number, to: number): void {
    const d = this.issues.get(from);
    if (!d) return;
    this.issues.delete(from);
    const into = this.issues.get(to);
    if (!into) {
      d.id = to;
      this.issues.set(to, d);
    } else {
      into.count += d.count;
      if (d.first < into.first) into.first = d.first;
      if (d.latest.timestamp >= into.latest.timestamp) into.latest = d.latest;
      into.events.push(...d.events);
      for (const u of d.users) into.users.add(u);
      for (const values of d.tags.values()) for (const t of values.values()) countTag(into.tags, t.key, t.value, t.n, t.first, t.last);
      for (const [bucket, n] of d.stats) into.stats.set(bucket, (into.stats.get(bucket) ?? 0) + n);
    }
  }

  /** A user is new to an issue when its (issue, user) row did not exist yet. */
  private async countNewUsers(tx: Tx): Promise<void> {
    const pairs: Array<[number, string]> = [];
    for (const d of this.issues.values()) for (const u of d.users) pairs.push([d.id, u]);
    if (pairs.length === 0) return;
    pairs.sort((a, b) => a[0] - b[0] || cmp(a[1], b[1]));
    const added = await tx.query<{ issue_id: number }>(
      `INSERT INTO issue_users (issue_id, user_key) SELECT issue_id, user_key FROM ${recordset(1, [['issue_id', 'int8'], ['user_key', 'text']])}
       ON CONFLICT DO NOTHING RETURNING issue_id`,
      [recordsetParam(pairs.map(([issue_id, user_key]) => ({ issue_id, user_key })))],
      PREPARED,
    );
    for (const r of added) this.issues.get(Number(r.issue_id))!.newUsers++;
  }

  private async updateIssues(tx: Tx, ids: number[]): Promise<void> {
    const list = ids.map((id) => this.issues.get(id)!);
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
         status = CASE WHEN d.reopen IS NOT NULL THEN 'unresolved' ELSE i.status END,
         substatus = COALESCE(d.reopen, i.substatus),
         status_details = CASE WHEN d.reopen IS NOT NULL THEN '{}'::jsonb ELSE i.status_details END,
         resolved_at = CASE WHEN d.reopen IS NOT NULL THEN NULL ELSE i.resolved_at END
       FROM ${recordset(1, ISSUE_UPDATE_COLUMNS, 'd')}
       WHERE i.id = d.id`,
      [
        recordsetParam(
          list.map((d) => ({
            id: d.id,
            n: d.count,
            users: d.newUsers,
            first: d.first,
            last: d.latest.timestamp,
            title: d.latest.title,
            culprit: d.latest.culprit,
            message: d.latest.message,
            level: d.latest.level,
            metadata: d.latest.metadataJson,
            reopen: d.reopen?.substatus ?? null,
          })),
        ),
      ],
      PREPARED,
    );
    const reopened = list.filter((d) => d.reopen);
    if (reopened.length > 0) {
      await tx.query(
        `INSERT INTO activities (issue_id, type, data)
         SELECT id, type, data::jsonb FROM unnest($1::int8[], $2::text[], $3::text[]) AS r(id, type, data)`,
        [reopened.map((d) => d.id), reopened.map((d) => d.reopen!.activity), reopened.map((d) => JSON.stringify(d.reopen!.data))],
      );
    }
  }

  private async bumpTags(tx: Tx): Promise<void> {
    const rows: Array<{ issue: number; key: string; value: string; n: number; first: number; last: number }> = [];
    for (const d of this.issues.values()) {
      for (const values of d.tags.values()) for (const t of values.values()) rows.push({ issue: d.id, key: t.key, value: t.value, n: t.n, first: t.first, last: t.last });
    }
    if (rows.length === 0) return;
    // In one order for every transaction, so two workers upserting the same rows wait instead of deadlocking.
    rows.sort((a, b) => a.issue - b.issue || cmp(a.key, b.key) || cmp(a.value, b.value));
    await tx.query(
      `INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)
       SELECT issue, key, value, n, ${fromMs('first')}, ${fromMs('last')} FROM ${recordset(1, TAG_COLUMNS)}
       ON CONFLICT (issue_id, key, value) DO UPDATE SET
         times_seen = issue_tags.times_seen + excluded.times_seen,
         first_seen = LEAST(issue_tags.first_seen, excluded.first_seen),
         last_seen = GREATEST(issue_tags.last_seen, excluded.last_seen)`,
      [recordsetParam(rows)],
      PREPARED,
    );
  }

  private async bumpStats(tx: Tx): Promise<void> {
    const rows: Array<{ issue: number; bucket: number; n: number }> = [];
    for (const d of this.issues.values()) for (const [bucket, n] of d.stats) rows.push({ issue: d.id, bucket, n });
    if (rows.length === 0) return;
    rows.sort((a, b) => a.issue - b.issue || a.bucket - b.bucket);
    await tx.query(
      `INSERT INTO issue_stats (issue_id, bucket, count)
       SELECT issue, ${fromMs('bucket')}, n FROM ${recordset(1, [['issue', 'int8'], ['bucket', 'int8'], ['n', 'int']])}
       ON CONFLICT (issue_id, bucket) DO UPDATE SET count = issue_stats.count + excluded.count`,
      [recordsetParam(rows)],
      PREPARED,
    );
  }
}

/** Counts `n` events with tag `key`=`value` seen from `first` to `last` (epoch ms) into an issue's tags. */
function countTag(tags: Map<string, Map<string, TagCount>>, key: string, value: string, n: number, first: number, last: number): void {
  let values = tags.get(key);
  if (!values) tags.set(key, (values = new Map()));
  const t = values.get(value);
  if (!t) values.set(value, { key, value, n, first, last });
  else {
    t.n += n;
    if (first < t.first) t.first = first;
    if (last > t.last) t.last = last;
  }
}

/**
 * SQL for a timestamptz from an epoch-ms column of a recordset: the counters carry times as numbers,
 * which cost nothing to compare and to write into the JSON parameter (a Date costs a toISOString).
 */
const fromMs = (column: string) => `to_timestamp(${column} / 1000.0)`;

function latestOf(e: PreparedEvent): Latest {
  return { timestamp: e.timestamp, title: e.title, culprit: e.culprit, message: e.message, level: e.level, metadataJson: e.metadataJson };
}
