// Which pattern a log record belongs to (issue "Logs": one setting for all logs):
//   - the record's `sentry.message.template` when the SDK sent one (identity: the template);
//   - otherwise the online miner (server/logs/patterns), one per project and process.
// Patterns are rows of log_patterns, identified by (project, version, cluster key). The miner's
// template generalizes as lines arrive (a position becomes <*>): the row's template follows, its id
// never changes.
//
// Restart: a process that starts (or meets a project for the first time) rebuilds the project's miner
// from the stored rows with PatternMiner.restore: every row becomes a cluster with the row's cluster key,
// template and count, so a line goes to the same pattern as before the restart (test/unit/log-patterns-
// restart.test.ts). Re-feeding the template texts through add() would not do: a template with adjacent
// `<*>` tokenizes shorter than the lines it came from, and a general template fed after a specific one
// joins that one.
//
// Merges: when the miner finds that a word position is a variable (enough distinct words there), it
// merges the clusters that differed only there into the biggest one (AddResult.merged). The merged-away
// patterns are folded into the survivor here, in the digest's transaction: their records, hourly stats
// and counts move to it and their rows are deleted, so the stored pattern ids group exactly as the miner
// does. Merges happen while a pattern is young (a handful of sibling clusters of a few lines each), so
// the records moved are few.
//
// A cluster another process created meanwhile is found through the unique key on insert. A concurrent
// batch (the worker runs two on Postgres) that assigned records to a pattern merged away here is rolled
// back and digested again (foldPatterns, server/logs/digest.ts). (A second process that still holds a
// pattern merged away here keeps writing to its id until it restarts; one process per database is the
// supported setup.)
import { createHash } from 'node:crypto';
import type { Queryable, Tx } from '../db/client.ts';
import { recordset, recordsetParam } from '../db/recordset.ts';
import type { LogRecord } from './normalize.ts';
import { LOG_PATTERN_VERSION, PatternMiner, type MinerState } from './patterns/miner.ts';

export const TEMPLATE_VERSION = 'template';

interface ProjectState {
  miner: PatternMiner;
  /** miner cluster key → pattern id */
  ids: Map<string, number>;
  /** template (sentry.message.template) → pattern id */
  templates: Map<string, number>;
  /** pattern id → template as stored */
  stored: Map<number, string>;
}

export interface PatternAssigner {
  assign(tx: Tx, projectId: number, records: LogRecord[]): Promise<number[]>;
}

const MAX_PROJECTS = 1000;
const templateKey = (t: string) => createHash('sha1').update(t).digest('hex');

/** The miner state of stored pattern rows (least recently seen first, as restore() wants them). */
export function minerStateOf(rows: ReadonlyArray<{ cluster_key: string; template: string; count?: number | string | null }>): MinerState {
  return { version: LOG_PATTERN_VERSION, clusters: rows.map((r) => ({ key: r.cluster_key, template: r.template, count: r.count == null ? 1 : Number(r.count) })) };
}

export class LogPatternAssigner implements PatternAssigner {
  private projects = new Map<number, ProjectState>();

  private async state(db: Queryable, projectId: number): Promise<ProjectState> {
    let s = this.projects.get(projectId);
    if (s) return s;
    const rows = await db.query<{ id: number; version: string; cluster_key: string; template: string; count: number | string }>(
      `SELECT id, version, cluster_key, template, count FROM log_patterns WHERE project_id = $1 AND version IN ($2, $3) ORDER BY last_seen, id`,
      [projectId, LOG_PATTERN_VERSION, TEMPLATE_VERSION],
    );
    const mined = rows.filter((r) => r.version === LOG_PATTERN_VERSION);
    s = { miner: PatternMiner.restore(minerStateOf(mined)), ids: new Map(), templates: new Map(), stored: new Map() };
    for (const r of rows) {
      const id = Number(r.id);
      if (r.version === TEMPLATE_VERSION) s.templates.set(r.template, id);
      else {
        s.ids.set(r.cluster_key, id);
        s.stored.set(id, r.template);
      }
    }
    if (this.projects.size >= MAX_PROJECTS) this.projects.clear();
    this.projects.set(projectId, s);
    return s;
  }

  /** Forget what this process knows (a rollback may have undone inserts it remembered). */
  reset(projectId?: number): void {
    if (projectId === undefined) this.projects.clear();
    else this.projects.delete(projectId);
  }

  async assign(tx: Tx, projectId: number, records: LogRecord[]): Promise<number[]> {
    try {
      return await this.assignInner(tx, projectId, records);
    } catch (err) {
      this.reset(projectId);
      throw err;
    }
  }

  private async assignInner(tx: Tx, projectId: number, records: LogRecord[]): Promise<number[]> {
    const s = await this.state(tx, projectId);
    const out: number[] = new Array(records.length);
    const newTemplates = new Map<string, { template: string; sample: string; at: Date; indexes: number[] }>();
    // Mined records: the cluster key add() gave, resolved through merges once the batch is mined.
    const keyOf: Array<string | undefined> = new Array(records.length);
    /** cluster key → its template after the last line that went to it */
    const latest = new Map<string, string>();
    const mergedAway: string[] = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.template) {
        const id = s.templates.get(r.template);
        if (id !== undefined) out[i] = id;
        else {
          const p = newTemplates.get(r.template) ?? { template: r.template, sample: r.body, at: r.timestamp, indexes: [] };
          p.indexes.push(i);
          newTemplates.set(r.template, p);
        }
        continue;
      }
      const a = s.miner.add(r.body);
      keyOf[i] = a.clusterKey;
      latest.set(a.clusterKey, a.template);
      if (a.merged) for (const k of a.merged) mergedAway.push(k);
    }

    // Where each mined record ends up, and the patterns that are new.
    const newMined = new Map<string, { template: string; sample: string; at: Date; indexes: number[] }>();
    const finalKeys = new Set<string>();
    for (let i = 0; i < records.length; i++) {
      const k0 = keyOf[i];
      if (k0 === undefined) continue;
      const k = s.miner.resolve(k0);
      keyOf[i] = k;
      finalKeys.add(k);
      if (s.ids.has(k)) continue;
      const p = newMined.get(k) ?? { template: latest.get(k) ?? s.miner.templateOf(k) ?? '', sample: records[i].body, at: records[i].timestamp, indexes: [] };
      p.indexes.push(i);
      newMined.set(k, p);
    }

    if (newTemplates.size > 0 || newMined.size > 0) {
      const list = [
        ...[...newTemplates.values()].map((p) => ({ version: TEMPLATE_VERSION, key: templateKey(p.template), template: p.template, sample: p.sample, at: p.at, indexes: p.indexes })),
        ...[...newMined].map(([key, p]) => ({ version: LOG_PATTERN_VERSION, key, template: p.template, sample: p.sample, at: p.at, indexes: p.indexes })),
      ];
      // ON CONFLICT DO UPDATE (a no-op change) so that RETURNING also gives rows another process made.
      const rows = await tx.query<{ id: number; version: string; cluster_key: string; template: string }>(
        `INSERT INTO log_patterns (project_id, version, cluster_key, template, sample, first_seen, last_seen, count)
         SELECT $2, version, key, template, sample, at, at, 0 FROM ${recordset(1, [['version', 'text'], ['key', 'text'], ['template', 'text'], ['sample', 'text'], ['at', 'timestamptz']])}
         ON CONFLICT (project_id, version, cluster_key) DO UPDATE SET last_seen = log_patterns.last_seen
         RETURNING id, version, cluster_key, template`,
        [recordsetParam(list.map((p) => ({ version: p.version, key: p.key, template: p.template, sample: p.sample.slice(0, 2000), at: p.at }))), projectId],
      );
      const byKey = new Map(rows.map((r) => [`${r.version === TEMPLATE_VERSION ? 't' : 'm'}:${r.cluster_key}`, r]));
      for (const p of list) {
        const row = byKey.get(`${p.version === TEMPLATE_VERSION ? 't' : 'm'}:${p.key}`)!;
        const id = Number(row.id);
        if (p.version === TEMPLATE_VERSION) {
          for (const i of p.indexes) out[i] = id;
          s.templates.set(p.template, id);
        } else {
          s.ids.set(p.key, id);
          s.stored.set(id, row.template);
        }
      }
    }
    for (let i = 0; i < records.length; i++) {
      const k = keyOf[i];
      if (k !== undefined) out[i] = s.ids.get(k)!;
    }

    // Patterns merged away that have a row: fold them into the pattern they were merged into.
    const folds: Array<{ from: number; to: number }> = [];
    for (const k of new Set(mergedAway)) {
      const target = s.miner.resolve(k);
      if (target === k) continue; // started again later in the batch (after an eviction): alive
      const from = s.ids.get(k);
      const to = s.ids.get(target);
      s.ids.delete(k);
      if (from === undefined) continue;
      s.stored.delete(from);
      if (to !== undefined && to !== from) folds.push({ from, to });
    }
    if (folds.length > 0) await foldPatterns(tx, projectId, folds);

    const changed: Array<[number, string]> = [];
    for (const k of finalKeys) {
      const id = s.ids.get(k)!;
      const t = latest.get(k) ?? s.miner.templateOf(k);
      if (t !== undefined && s.stored.get(id) !== t) changed.push([id, t]);
    }
    if (changed.length > 0) {
      changed.sort((a, b) => a[0] - b[0]);
      await tx.query(`UPDATE log_patterns p SET template = c.template FROM ${recordset(1, [['id', 'int8'], ['template', 'text']], 'c')} WHERE p.id = c.id`, [
        recordsetParam(changed.map(([id, template]) => ({ id, template }))),
      ]);
      for (const [id, t] of changed) s.stored.set(id, t);
    }
    return out;
  }
}

/** Moves the records, hourly stats and counts of patterns `from` to `to` and deletes the `from` rows. */
async function foldPatterns(tx: Tx, projectId: number, folds: Array<{ from: number; to: number }>): Promise<void> {
  folds.sort((a, b) => a.from - b.from);
  // Lock the rows first: a concurrent batch that already counted records into a `from` pattern
  // commits before its records are moved here; one that counts after finds the row gone and is
  // digested again (server/logs/digest.ts).
  const all = [...new Set(folds.flatMap((f) => [f.from, f.to]))].sort((a, b) => a - b);
  await tx.query('SELECT id FROM log_patterns WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE', [all]);
  const m = recordsetParam(folds.map((f) => ({ src: f.from, dst: f.to })));
  const cols = [['src', 'int8'], ['dst', 'int8']] as const;
  await tx.query(`UPDATE log_records r SET pattern_id = m.dst FROM ${recordset(1, cols, 'm')} WHERE r.pattern_id = m.src AND r.project_id = $2`, [m, projectId]);
  await tx.query(
    `INSERT INTO log_pattern_stats (pattern_id, bucket, level, count)
     SELECT m.dst, s.bucket, s.level, sum(s.count)::int FROM log_pattern_stats s JOIN ${recordset(1, cols, 'm')} ON s.pattern_id = m.src
     GROUP BY m.dst, s.bucket, s.level ORDER BY 1, 2, 3
     ON CONFLICT (pattern_id, bucket, level) DO UPDATE SET count = log_pattern_stats.count + excluded.count`,
    [m],
  );
  await tx.query(`DELETE FROM log_pattern_stats s USING ${recordset(1, cols, 'm')} WHERE s.pattern_id = m.src`, [m]);
  await tx.query(
    `UPDATE log_patterns p SET count = p.count + x.n, first_seen = LEAST(p.first_seen, x.first), last_seen = GREATEST(p.last_seen, x.last)
     FROM (SELECT m.dst AS id, sum(lp.count) AS n, min(lp.first_seen) AS first, max(lp.last_seen) AS last
           FROM log_patterns lp JOIN ${recordset(1, cols, 'm')} ON lp.id = m.src WHERE lp.project_id = $2 GROUP BY m.dst) x
     WHERE p.id = x.id`,
    [m, projectId],
  );
  await tx.query(`DELETE FROM log_patterns lp USING ${recordset(1, cols, 'm')} WHERE lp.id = m.src AND lp.project_id = $2`, [m, projectId]);
}
