// Which pattern a log record belongs to (issue "Logs": one setting for all logs):
//   - the record's `sentry.message.template` when the SDK sent one (identity: the template);
//   - otherwise the online miner (server/logs/patterns), one per project and process.
// Patterns are rows of log_patterns, identified by (project, version, cluster key). A process that
// starts (or meets a project for the first time) rebuilds its miner by feeding it the stored templates,
// mapping the clusters they form to the stored rows; a cluster another process created meanwhile is
// found through the unique key on insert. The miner's template generalizes as lines arrive (a position
// becomes <*>): the row's template follows, its id never changes.
import { createHash } from 'node:crypto';
import type { Queryable, Tx } from '../db/client.ts';
import { recordset, recordsetParam } from '../db/recordset.ts';
import type { LogRecord } from './normalize.ts';
import { LOG_PATTERN_VERSION, PatternMiner } from './patterns/miner.ts';

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

export class LogPatternAssigner implements PatternAssigner {
  private projects = new Map<number, ProjectState>();

  private async state(db: Queryable, projectId: number): Promise<ProjectState> {
    let s = this.projects.get(projectId);
    if (s) return s;
    s = { miner: new PatternMiner(), ids: new Map(), templates: new Map(), stored: new Map() };
    const rows = await db.query<{ id: number; version: string; cluster_key: string; template: string }>(
      `SELECT id, version, cluster_key, template FROM log_patterns WHERE project_id = $1 AND version IN ($2, $3) ORDER BY id`,
      [projectId, LOG_PATTERN_VERSION, TEMPLATE_VERSION],
    );
    for (const r of rows) {
      const id = Number(r.id);
      if (r.version === TEMPLATE_VERSION) s.templates.set(r.template, id);
      else {
        const { clusterKey } = s.miner.add(r.template);
        if (!s.ids.has(clusterKey)) s.ids.set(clusterKey, id);
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
    const newPatterns = new Map<string, { version: string; key: string; template: string; sample: string; at: Date; indexes: number[] }>();
    const changed = new Map<number, string>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (r.template) {
        const id = s.templates.get(r.template);
        if (id !== undefined) out[i] = id;
        else {
          const key = `t:${templateKey(r.template)}`;
          const p = newPatterns.get(key) ?? { version: TEMPLATE_VERSION, key: templateKey(r.template), template: r.template, sample: r.body, at: r.timestamp, indexes: [] };
          p.indexes.push(i);
          newPatterns.set(key, p);
        }
        continue;
      }
      const { clusterKey, template } = s.miner.add(r.body);
      const id = s.ids.get(clusterKey);
      if (id !== undefined) {
        out[i] = id;
        if (s.stored.get(id) !== template) changed.set(id, template);
        continue;
      }
      const key = `m:${clusterKey}`;
      const p = newPatterns.get(key) ?? { version: LOG_PATTERN_VERSION, key: clusterKey, template, sample: r.body, at: r.timestamp, indexes: [] };
      p.template = template;
      p.indexes.push(i);
      newPatterns.set(key, p);
    }

    if (newPatterns.size > 0) {
      const list = [...newPatterns.values()];
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
        const row = byKey.get(p.version === TEMPLATE_VERSION ? `t:${p.key}` : `m:${p.key}`)!;
        const id = Number(row.id);
        for (const i of p.indexes) out[i] = id;
        if (p.version === TEMPLATE_VERSION) s.templates.set(p.template, id);
        else {
          s.ids.set(p.key, id);
          s.stored.set(id, row.template);
          if (row.template !== p.template) changed.set(id, p.template);
        }
      }
    }

    if (changed.size > 0) {
      const list = [...changed.entries()].sort((a, b) => a[0] - b[0]);
      await tx.query(`UPDATE log_patterns p SET template = c.template FROM ${recordset(1, [['id', 'int8'], ['template', 'text']], 'c')} WHERE p.id = c.id`, [
        recordsetParam(list.map(([id, template]) => ({ id, template }))),
      ]);
      for (const [id, t] of list) s.stored.set(id, t);
    }
    return out;
  }
}
