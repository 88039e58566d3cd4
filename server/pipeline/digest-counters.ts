// Digest step: what the newly stored events of a batch change on their issues: times seen, first and
// last seen, the latest title/level, distinct users, tag value counts, hourly stats, regressions of
// resolved issues and tripped conditions of ignored ones (rules in regression.ts), and issues merged
// away while the batch ran (queries/issue-merge.ts).
// Chunks of the batch add small facts here (the events themselves are gone by then) and `flush`
// writes them once per batch, inside the digest transaction: a batch of 2,000 events across 300 issues
// costs one upsert of the issues' ~4,000 tag rows, not one per event.
import type { Tx } from '../db/client.ts';
import { PREPARED, toDate } from '../db/client.ts';
import { deleteIssueOwnedRows } from '../db/issue-owned.ts';
import { recordset, recordsetParam } from '../db/recordset.ts';
import type { PreparedEvent } from './prepare.ts';
import { hasIgnoreCondition, ignoreConditions, ignoreDetailsOf, ignoreTripped, isRegression, releasesToLookUp, windowedConditions, type IgnoreDetails, type IgnoreTrip } from './regression.ts';

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
  /** The issue goes back to unresolved with this substatus, and gets this activity. */
  reopen: Reopen | null;
}

interface Reopen {
  substatus: 'regressed' | IgnoreTrip;
  activity: string;
  data: Record<string, unknown>;
}

interface LockedIssue {
  id: number;
  projectId: number;
  status: string;
  statusDetails: Record<string, unknown> | null;
  resolvedAt: Date | null;
  timesSeen: number;
  userCount: number;
}

/** Locks the issues in id order; returns those that exist. */
async function lockIssues(tx: Tx, ids: number[]): Promise<Map<number, LockedIssue>> {
  const rows = await tx.query<{ id: number; project_id: number; status: string; status_details: Record<string, unknown> | null; resolved_at: unknown; times_seen: number; user_count: number }>(
    'SELECT id, project_id, status, status_details, resolved_at, times_seen, user_count FROM issues WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE',
    [ids],
    PREPARED,
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        projectId: Number(r.project_id),
        status: r.status,
        statusDetails: r.status_details,
        resolvedAt: r.resolved_at ? toDate(r.resolved_at) : null,
        timesSeen: Number(r.times_seen),
        userCount: Number(r.user_count),
      },
    ]),
  );
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

/** Sentry's activities for a snooze that ended: `set_escalating` (counts), `auto_set_ongoing` (duration). */
function tripReopen(trip: IgnoreTrip, details: IgnoreDetails, d: IssueDelta): Reopen {
  const data = { expired_snooze: ignoreConditions(details), eventId: d.events.at(-1)?.eventId ?? null };
  return trip === 'ongoing' ? { substatus: 'ongoing', activity: 'auto_set_ongoing', data } : { substatus: 'escalating', activity: 'set_escalating', data };
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
  ['reopen', 'text'],
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
        d = { id, count: 0, first: e.timestamp, latest: latestOf(e), events: [], users: new Set(), newUsers: 0, reopen: null };
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
    await this.findRegressions(tx, live.map((id) => locked.get(id)!));
    await this.countNewUsers(tx);
    await this.checkIgnored(tx, live.map((id) => locked.get(id)!), now);
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
    for (const [k, t] of this.tags) if (t.issue === issueId) this.tags.delete(k);
    for (const [k, s] of this.stats) if (s.issue === issueId) this.stats.delete(k);
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
    }
    for (const [k, t] of [...this.tags]) {
      if (t.issue !== from) continue;
      this.tags.delete(k);
      const nk = `${to}\u0001${t.key}\u0001${t.value}`;
      const e = this.tags.get(nk);
      if (!e) this.tags.set(nk, { ...t, issue: to });
      else {
        e.n += t.n;
        if (t.first < e.first) e.first = t.first;
        if (t.last > e.last) e.last = t.last;
      }
    }
    for (const [k, s] of [...this.stats]) {
      if (s.issue !== from) continue;
      this.stats.delete(k);
      const nk = `${to}\u0001${s.bucket}`;
      const e = this.stats.get(nk);
      if (e) e.n += s.n;
      else this.stats.set(nk, { ...s, issue: to });
    }
  }

  /** Resolved issues that this batch's events reopen (regression.ts). */
  private async findRegressions(tx: Tx, rows: LockedIssue[]): Promise<void> {
    const resolved = rows.filter((r) => r.status === 'resolved');
    if (resolved.length === 0) return;
    const stateOf = (r: LockedIssue) => ({ status: r.status, statusDetails: r.statusDetails, resolvedAt: r.resolvedAt });
    // Releases that cannot be ordered by version are ordered by when the project first saw them.
    const wanted = new Map<string, [number, string]>();
    for (const r of resolved) {
      for (const ev of this.issues.get(r.id)!.events) for (const rel of releasesToLookUp(stateOf(r), ev)) wanted.set(`${r.projectId}\u0001${rel}`, [r.projectId, rel]);
    }
    const firstSeen = new Map<string, Date>();
    if (wanted.size > 0) {
      const pairs = [...wanted.values()];
      const found = await tx.query<{ project_id: number; release: string; first_seen: unknown }>(
        `SELECT w.project_id, w.release, min(t.first_seen) AS first_seen
         FROM unnest($1::int[], $2::text[]) AS w(project_id, release)
         JOIN issue_tags t ON t.key = 'release' AND t.value = w.release
         JOIN issues i ON i.id = t.issue_id AND i.project_id = w.project_id
         GROUP BY w.project_id, w.release`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      );
      for (const f of found) firstSeen.set(`${f.project_id}\u0001${f.release}`, toDate(f.first_seen));
    }
    for (const r of resolved) {
      const d = this.issues.get(r.id)!;
      const seen = (release: string) => firstSeen.get(`${r.projectId}\u0001${release}`) ?? null;
      const e = d.events.find((ev) => isRegression(stateOf(r), ev, seen));
      if (e) d.reopen = { substatus: 'regressed', activity: 'set_regression', data: { eventId: e.eventId, version: e.release } };
    }
  }

  /**
   * Ignored issues whose condition this batch trips: the duration has passed, or the events or users
   * since ignoring (in total, or within the window) reached the count. Runs after the new users are
   * counted and the events inserted, so the counts include this batch.
   */
  private async checkIgnored(tx: Tx, rows: LockedIssue[], now: Date): Promise<void> {
    const windowed: Array<{ id: number; since: string; atLeast: number; users: boolean; details: IgnoreDetails }> = [];
    for (const r of rows) {
      if (r.status !== 'ignored') continue;
      const details = ignoreDetailsOf(r.statusDetails);
      if (!hasIgnoreCondition(details)) continue;
      const d = this.issues.get(r.id)!;
      const trip = ignoreTripped(details, now, { timesSeen: r.timesSeen + d.count, userCount: r.userCount + d.newUsers });
      if (trip) {
        d.reopen = tripReopen(trip, details, d);
        continue;
      }
      const w = windowedConditions(details, now);
      if (w.events) windowed.push({ id: r.id, since: w.events.since.toISOString(), atLeast: w.events.atLeast, users: false, details });
      if (w.users) windowed.push({ id: r.id, since: w.users.since.toISOString(), atLeast: w.users.atLeast, users: true, details });
    }
    if (windowed.length === 0) return;
    // Bounded reads: the events of the window through (issue_id, timestamp), at most `atLeast` of them.
    const counts = await tx.query<{ n: number }>(
      `SELECT CASE WHEN w.users
                THEN (SELECT count(DISTINCT e.user_key) FROM events e WHERE e.issue_id = w.id AND e.timestamp >= w.since AND e.user_key IS NOT NULL)
                ELSE (SELECT count(*) FROM (SELECT 1 FROM events e WHERE e.issue_id = w.id AND e.timestamp >= w.since LIMIT w.lim) x)
              END AS n
       FROM unnest($1::int8[], $2::text[]::timestamptz[], $3::int[], $4::text[]::bool[]) WITH ORDINALITY AS w(id, since, lim, users, ord)
       ORDER BY w.ord`,
      [windowed.map((w) => w.id), windowed.map((w) => w.since), windowed.map((w) => w.atLeast), windowed.map((w) => String(w.users))],
    );
    windowed.forEach((w, i) => {
      const d = this.issues.get(w.id)!;
      if (!d.reopen && Number(counts[i].n) >= w.atLeast) d.reopen = tripReopen('escalating', w.details, d);
    });
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
      PREPARED,
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
      PREPARED,
    );
  }
}

function latestOf(e: PreparedEvent): Latest {
  return { timestamp: e.timestamp, title: e.title, culprit: e.culprit, message: e.message, level: e.level, metadataJson: e.metadataJson };
}
