// The pattern of a line survives a restart. LogPatternAssigner (server/logs/assign.ts) rebuilds a
// project's miner from its stored log_patterns rows (cluster key, template text, count, least recently
// seen first) with PatternMiner.restore(minerStateOf(rows)). Here the rows are made the way the digest
// stores them, from a miner that keeps running, and the restored miner must give every later line the
// same pattern as that miner; a stored template fed back must land on its own pattern, unchanged.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOGHUB_DEV_DATASETS, LOGHUB_DEV_DIR, loadLoghubDev } from '../../bench/log-ga.ts';
import { minerStateOf } from '../../server/logs/assign.ts';
import { logTokens } from '../../server/logs/patterns/mask.ts';
import { LOG_PATTERN_VERSION, PatternMiner } from '../../server/logs/patterns/miner.ts';

/** What log_patterns holds for a miner's live clusters: key, template text, count; least recently used first. */
function storedRows(m: PatternMiner) {
  return m.snapshot().clusters.map((c) => ({ cluster_key: c.key, template: (c.template as string[]).join(' '), count: c.count ?? 1 }));
}

/** Feeds `rest` to the running miner and to one restored from its rows; returns the positions that differ. */
function compareAfterRestart(lines: readonly string[], cut: number) {
  const running = new Miner();
  for (const l of lines.slice(0, cut)) running.add(l);
  const restored = new Miner(PatternMiner.restore(minerStateOf(storedRows(running.m))));
  const differ: number[] = [];
  const a: string[] = [];
  const b: string[] = [];
  for (const l of lines.slice(cut)) {
    a.push(running.add(l));
    b.push(restored.add(l));
  }
  // Final pattern of each line: through the merges each miner reported since.
  for (let i = 0; i < a.length; i++) if (running.m.resolve(a[i]) !== restored.m.resolve(b[i])) differ.push(cut + i);
  return { differ, running: running.m, restored: restored.m };
}

class Miner {
  constructor(readonly m = new PatternMiner()) {}
  add(line: string): string {
    return this.m.add(line).clusterKey;
  }
}

describe('restart: a miner restored from stored patterns', () => {
  it('assigns the lines that follow exactly as the miner that kept running (synthetic, with merges)', () => {
    const lines: string[] = [];
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
    for (let i = 0; i < 400; i++) {
      lines.push(`Accepted password for ${users[i % users.length]} from 10.0.${i % 7}.${i % 250} port ${1000 + i} ssh2`);
      lines.push(`Link ${i % 3 === 0 ? 'Up' : 'Down'} on port ${i % 48}`);
      lines.push(`Cache ${i % 2 ? 'hit' : 'miss'} for key session:${i} in ${i % 9}ms`);
      if (i % 5 === 0) lines.push(`invalid user ${i % 10 === 0 ? users[i % 4] : String(i)} [preauth]`);
    }
    for (const cut of [3, 10, 25, 60, 200, 800]) expect(compareAfterRestart(lines, cut).differ, `cut at ${cut}`).toEqual([]);
  });

  it('keeps the stored keys and templates, and ignores state of another version', () => {
    const m = new PatternMiner();
    for (const l of ['Link Up on port 1', 'Link Up on port 2', 'Link Down on port 3']) m.add(l);
    const rows = storedRows(m);
    const r = PatternMiner.restore(minerStateOf(rows));
    expect(storedRows(r).map((x) => [x.cluster_key, x.template])).toEqual(rows.map((x) => [x.cluster_key, x.template]));
    expect(PatternMiner.restore({ version: 'logs:0', clusters: minerStateOf(rows).clusters }).size).toBe(0);
    expect(PatternMiner.restore({ version: LOG_PATTERN_VERSION, clusters: [{ key: 'k', template: 'bad  template' }, { key: 'k2', template: 42 }] }).size).toBe(0);
    expect(PatternMiner.restore(null).size).toBe(0);
  });
});

describe.skipIf(!existsSync(path.join(LOGHUB_DEV_DIR, 'Mac_2k.log_structured.csv')))('restart on the Loghub development set', () => {
  const data = LOGHUB_DEV_DATASETS.map((name) => ({ name, lines: loadLoghubDev(name).map((l) => l.content) }));

  it('gives every line after a restart the pattern it would have had without one', () => {
    for (const d of data) {
      for (const cut of [50, 300, 1000, 1700]) {
        const { differ } = compareAfterRestart(d.lines, cut);
        expect(differ, `${d.name}, restart after ${cut} lines`).toEqual([]);
      }
    }
  });

  it('maps a stored template fed back to its own pattern, its template unchanged', () => {
    for (const d of data) {
      const m = new PatternMiner();
      for (const l of d.lines) m.add(l);
      const rows = storedRows(m);
      const restored = PatternMiner.restore(minerStateOf(rows));
      let fed = 0;
      for (const row of rows) {
        // A template whose text tokenizes differently (adjacent `<*>` collapse into one, a `<*>` glued to
        // a path becomes a path) is not a line any more: that is why assign.ts restores from rows
        // instead of feeding templates through add().
        if (logTokens(row.template).join(' ') !== row.template) continue;
        fed++;
        for (const miner of [m, restored]) {
          const r = miner.add(row.template);
          expect(miner.resolve(r.clusterKey), `${d.name}: ${row.template}`).toBe(row.cluster_key);
          expect(r.template).toBe(row.template);
          expect(r.created).toBe(false);
        }
      }
      expect(fed / rows.length, d.name).toBeGreaterThan(0.95);
    }
  });

  it('maps a line seen before the restart to the pattern it had', () => {
    for (const d of data) {
      const m = new PatternMiner();
      const keys = d.lines.map((l) => m.add(l).clusterKey);
      const restored = PatternMiner.restore(minerStateOf(storedRows(m)));
      d.lines.forEach((l, i) => expect(restored.resolve(restored.add(l).clusterKey), `${d.name} line ${i + 1}`).toBe(m.resolve(keys[i])));
    }
  });
});
