// Digest step: what the newly stored events of a batch change on their issues: times seen, first and
// last seen, the latest title/level, distinct users, tag value counts, hourly stats and regressions.
// Chunks of the batch add small facts here (the events themselves are gone by then) and `flush`
// writes them once per batch, inside the digest transaction: a batch of 2,000 events across 300 issues
// costs one upsert of the issues' ~4,000 tag rows, not one per event.
import type { Tx } from '../db/client.ts';
import { toDate } from '../db/client.ts';
import { deleteIssueOwnedRows } from '../db/issue-owned.ts';
import { recordset, recordsetParam } from '../db/recordset.ts';
import type { PreparedEvent } from './prepare.ts';
import { isRegression } from './regression.ts';

interface Latest {
  timestamp: Date;
  title: string;
  culprit: string;
  message: string;
  level: string;
  metadataJson: string;
}

interface IssueDelta {
  id: number;
  count: number;
  first: Date;
  latest: Latest;
  /** (timestamp, release, event id) of each event: enough to decide a regression. */
  events: Array<{ timestamp: Date; release: string | null; eventId: string }>;
  users: Set<string>;
  newUsers: number;
  regressedBy: { eventId: string; release: string | null } | null;
}

interface TagCount {
  issue: number;
  key: string;
  value: string;
  n: number;
  first: Date;
  last: Date;
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
  ['regressed', 'bool'],
] as const;

const TAG_COLUMNS = [
  ['issue', 'int8'],
  ['key', 'text'],
  ['value', 'text'],
  ['n', 'int8'],
  ['first', 'timestamptz'],
  ['last', 'timestamptz'],
] as const;

const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000).toISOString();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class BatchCounters {
  private issues = new Map<number, IssueDelta>();
  private tags = new Map<string, TagCount>();
  private stats = new Map<string, { issue: number; bucket: string; n: number }>();

  get size(): number {
    return this.issues.size;
  }

  /** Records newly stored events (each with its issue id). */
  add(events: PreparedEvent[], issueOf: Map<PreparedEvent, number>): void {
    for (const e of events) {
      const id = issueOf.get(e)!;
      let d = this.issues.get(id);
      if (!d) {
        d = { id, count: 0, first: e.timestamp, latest: latestOf(e), events: [], users: new Set(), newUsers: 0, regressedBy: null };
        this.issues.set(id, d);
      }
      d.count++;
      if (e.timestamp < d.first) d.first = e.timestamp;
      if (e.timestamp >= d.latest.timestamp) d.latest = latestOf(e);
      d.events.push({ timestamp: e.timestamp, release: e.release, eventId: e.eventId });
      if (e.userKey) d.users.add(e.userKey);

      for (const [key, value] of e.tags) {
        const k = `${id}\u0001${key}\u0001${value}`;
        const t = this.tags.get(k);
        if (!t) this.tags.set(k, { issue: id, key, value, n: 1, first: e.timestamp, last: e.timestamp });
        else {
          t.n++;
          if (e.timestamp < t.first) t.first = e.timestamp;
          if (e.timestamp > t.last) t.last = e.timestamp;
        }
      }
      const bucket = hourOf(e.timestamp);
      const sk = `${id}\u0001${bucket}`;
      const s = this.stats.get(sk);
      if (s) s.n++;
      else this.stats.set(sk, { issue: id, bucket, n: 1 });
    }
  }

  async flush(tx: Tx): Promise<void> {
    if (this.issues.size === 0) return;
    let ids = [...this.issues.keys()].sort((a, b) => a - b);
    const locked = await this.findRegressions(tx, ids);
    if (locked.size < ids.length) {
      // Deleted while this batch ran: what the batch stored for them goes too; the next event with
      // the same fingerprint starts a new issue (the deletion removed its hashes).
      const gone = ids.filter((id) => !locked.has(id));
      await deleteIssueOwnedRows(tx, gone);
      for (const id of gone) this.forget(id);
      ids = ids.filter((id) => locked.has(id));
      if (ids.length === 0) return;
    }
    await this.countNewUsers(tx);
    await this.updateIssues(tx, ids);
    await this.bumpTags(tx);
    await this.bumpStats(tx);
  }

  private forget(issueId: number): void {
    this.issues.delete(issueId);
    for (const [k, t] of this.tags) if (t.issue === issueId) this.tags.delete(k);
    for (const [k, s] of this.stats) if (s.issue === issueId) this.stats.delete(k);
  }

  /**
   * Locks the issues in id order (two workers then wait instead of deadlocking), checks regressions,
   * and returns the ids that still exist.
   */
  private async findRegressions(tx: Tx, ids: number[]): Promise<Set<number>> {
    const current = await tx.query<{ id: number; status: string; status_details: Record<string, unknown> | null; resolved_at: unknown }>(
      'SELECT id, status, status_details, resolved_at FROM issues WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    for (const row of current) {
      if (row.status !== 'resolved') continue;
      const d = this.issues.get(Number(row.id))!;
      const state = { status: row.status, statusDetails: row.status_details, resolvedAt: row.resolved_at ? toDate(row.resolved_at) : null };
      const e = d.events.find((ev) => isRegression(state, ev));
      if (e) d.regressedBy = { eventId: e.eventId, release: e.release };
    }
    return new Set(current.map((r) => Number(r.id)));
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
         status = CASE WHEN d.regressed THEN 'unresolved' ELSE i.status END,
         substatus = CASE WHEN d.regressed THEN 'regressed' ELSE i.substatus END,
         status_details = CASE WHEN d.regressed THEN '{}'::jsonb ELSE i.status_details END,
         resolved_at = CASE WHEN d.regressed THEN NULL ELSE i.resolved_at END
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
            regressed: d.regressedBy !== null,
          })),
        ),
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
  }

  private async bumpTags(tx: Tx): Promise<void> {
    if (this.tags.size === 0) return;
    const rows = [...this.tags.values()].sort((a, b) => a.issue - b.issue || cmp(a.key, b.key) || cmp(a.value, b.value));
    await tx.query(
      `INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)
       SELECT issue, key, value, n, first, last FROM ${recordset(1, TAG_COLUMNS)}
       ON CONFLICT (issue_id, key, value) DO UPDATE SET
         times_seen = issue_tags.times_seen + excluded.times_seen,
         first_seen = LEAST(issue_tags.first_seen, excluded.first_seen),
         last_seen = GREATEST(issue_tags.last_seen, excluded.last_seen)`,
      [recordsetParam(rows)],
    );
  }

  private async bumpStats(tx: Tx): Promise<void> {
    const rows = [...this.stats.values()].sort((a, b) => a.issue - b.issue || cmp(a.bucket, b.bucket));
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO issue_stats (issue_id, bucket, count)
       SELECT issue, bucket, n FROM ${recordset(1, [['issue', 'int8'], ['bucket', 'timestamptz'], ['n', 'int']])}
       ON CONFLICT (issue_id, bucket) DO UPDATE SET count = issue_stats.count + excluded.count`,
      [recordsetParam(rows)],
    );
  }
}

function latestOf(e: PreparedEvent): Latest {
  return { timestamp: e.timestamp, title: e.title, culprit: e.culprit, message: e.message, level: e.level, metadataJson: e.metadataJson };
}
