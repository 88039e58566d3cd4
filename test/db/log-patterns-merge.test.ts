// Pattern merges in the database (server/logs/assign.ts, "Merges"): when the miner finds that a word
// position is a variable, the patterns that differed only there are folded into one, in the digest's
// transaction: records, hourly stats and counts move, the merged-away rows go. A process that starts
// again assigns to the surviving pattern. Two batches in flight at once (the worker runs two on
// Postgres) must not leave records on a merged-away pattern.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations, projects } from '../../server/db/schema.ts';
import { LogPatternAssigner, type PatternAssigner } from '../../server/logs/assign.ts';
import { digestLogs, type LogQueueRow } from '../../server/logs/digest.ts';
import type { LogRecord } from '../../server/logs/normalize.ts';
import type { Tx } from '../../server/db/client.ts';
import { openTestDatabase, testDbKind, type TestDatabase } from '../helpers/db.ts';

let t: TestDatabase;
let projectId = 0;
let rowId = 0;

function row(bodies: string[]): LogQueueRow {
  return { id: ++rowId, project_id: projectId, received_at: new Date(), payload: JSON.stringify({ items: bodies.map((body) => ({ body, level: 'info' })) }) };
}

async function digest(assigner: PatternAssigner, bodies: string[]) {
  return t.db.begin((tx) => digestLogs(tx, [row(bodies)], assigner));
}

async function patternOf(body: string): Promise<number> {
  const rows = await t.db.query<{ pattern_id: number | string }>('SELECT DISTINCT pattern_id FROM log_records WHERE project_id = $1 AND body = $2', [projectId, body]);
  expect(rows, body).toHaveLength(1);
  return Number(rows[0].pattern_id);
}

/** Every record on an existing pattern; each pattern's count and hourly stats equal its records. */
async function expectConsistent() {
  const [{ orphans }] = await t.db.query<{ orphans: number }>(
    'SELECT count(*)::int AS orphans FROM log_records r WHERE r.project_id = $1 AND NOT EXISTS (SELECT 1 FROM log_patterns p WHERE p.id = r.pattern_id)',
    [projectId],
  );
  expect(orphans).toBe(0);
  const bad = await t.db.query(
    `SELECT p.id, p.count, (SELECT count(*) FROM log_records r WHERE r.pattern_id = p.id) AS records,
            (SELECT coalesce(sum(s.count), 0) FROM log_pattern_stats s WHERE s.pattern_id = p.id) AS stats
     FROM log_patterns p WHERE p.project_id = $1`,
    [projectId],
  );
  for (const b of bad as Array<{ id: number; count: unknown; records: unknown; stats: unknown }>) {
    expect([Number(b.count), Number(b.stats)], `pattern ${b.id}`).toEqual([Number(b.records), Number(b.records)]);
  }
}

async function freshProject(slug: string) {
  const [org] = await t.db.orm.select().from(organizations);
  const [p] = await t.db.orm.insert(projects).values({ organizationId: org.id, slug, name: slug }).returning();
  projectId = p.id;
}

beforeAll(async () => {
  t = await openTestDatabase();
  await t.db.orm.insert(organizations).values({ slug: 'merge-test', name: 'Merge test' });
});
afterAll(() => t?.close());

describe('pattern merges', () => {
  it('folds stored patterns into the survivor when a word position turns out to vary, and a restart keeps it', async () => {
    await freshProject('merges');
    const a = new LogPatternAssigner();
    // Four words, each its own pattern (fewer than EVIDENCE), stored by separate batches.
    await digest(a, ['Link Down on port 1', 'Link Down on port 2', 'Link Down on port 3']);
    await digest(a, ['Link Up on port 4']);
    await digest(a, ['Link Left on port 5']);
    await digest(a, ['Link Right on port 6']);
    const before = await Promise.all(['Link Down on port 1', 'Link Up on port 4', 'Link Left on port 5', 'Link Right on port 6'].map(patternOf));
    expect(new Set(before).size).toBe(4);
    // The fifth word: one pattern, the biggest (Down) survives.
    await digest(a, ['Link Sideways on port 7']);
    const after = await Promise.all(['Link Down on port 1', 'Link Up on port 4', 'Link Left on port 5', 'Link Right on port 6', 'Link Sideways on port 7'].map(patternOf));
    expect(new Set(after)).toEqual(new Set([before[0]]));
    const patterns = await t.db.query<{ id: number; template: string; count: number }>('SELECT id, template, count FROM log_patterns WHERE project_id = $1', [projectId]);
    expect(patterns.map((p) => [Number(p.id), p.template, Number(p.count)])).toEqual([[before[0], 'Link <*> on port <*>', 7]]);
    await expectConsistent();
    // A new process: lines of the merged words and new words go to the survivor.
    const b = new LogPatternAssigner();
    await digest(b, ['Link Up on port 8', 'Link Diagonal on port 9']);
    expect(await patternOf('Link Up on port 8')).toBe(before[0]);
    expect(await patternOf('Link Diagonal on port 9')).toBe(before[0]);
    await expectConsistent();
  });
});

/** Pauses a batch after its patterns are assigned (before its records are written). */
class Paused implements PatternAssigner {
  assigned!: Promise<void>;
  private done!: () => void;
  private release!: () => void;
  private gate: Promise<void>;
  constructor(private readonly inner: PatternAssigner) {
    this.assigned = new Promise((r) => (this.done = r));
    this.gate = new Promise((r) => (this.release = r));
  }
  async assign(tx: Tx, p: number, records: LogRecord[]): Promise<number[]> {
    const ids = await this.inner.assign(tx, p, records);
    this.done();
    await this.gate;
    return ids;
  }
  go() {
    this.release();
  }
}

// PGlite has one connection: transactions cannot overlap there.
describe.skipIf(testDbKind() === 'pglite')('two batches in flight (Postgres)', () => {
  async function setup(slug: string) {
    await freshProject(slug);
    const shared = new LogPatternAssigner();
    await digest(shared, ['Link Down on port 1', 'Link Down on port 2', 'Link Down on port 3']);
    await digest(shared, ['Link Up on port 4']);
    await digest(shared, ['Link Left on port 5']);
    await digest(shared, ['Link Right on port 6']);
    return { shared, down: await patternOf('Link Down on port 1'), up: await patternOf('Link Up on port 4') };
  }

  it('a batch that assigned records to a pattern merged meanwhile is rolled back (to be digested again)', async () => {
    const { shared, down } = await setup('race-before-count');
    const paused = new Paused(shared);
    const late = t.db.begin((tx) => digestLogs(tx, [row(['Link Up on port 10'])], paused));
    await paused.assigned; // its record is on the Up pattern, not written yet
    await digest(shared, ['Link Sideways on port 7']); // merges Up into Down, commits
    paused.go();
    await expect(late).rejects.toMatchObject({ code: '40001' });
    shared.reset(); // what the worker does before it retries
    await digest(shared, ['Link Up on port 10']);
    expect(await patternOf('Link Up on port 10')).toBe(down);
    await expectConsistent();
  });

  it('a batch that counted records into a pattern before the merge commits first; the merge then moves them', async () => {
    const { shared, down } = await setup('race-after-count');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let counted!: () => void;
    const hasCounted = new Promise<void>((r) => (counted = r));
    const early = t.db.begin(async (tx) => {
      await digestLogs(tx, [row(['Link Up on port 11'])], shared);
      counted();
      await gate; // holds the lock on the Up pattern's row
    });
    await hasCounted;
    const merge = digest(shared, ['Link Sideways on port 7']); // waits for the early batch's lock
    await new Promise((r) => setTimeout(r, 300));
    release();
    await early;
    await merge;
    expect(await patternOf('Link Up on port 11')).toBe(down);
    expect(await patternOf('Link Up on port 4')).toBe(down);
    await expectConsistent();
  });
});
