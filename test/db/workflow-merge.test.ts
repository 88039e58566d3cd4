// Merge and unmerge through the real app with real events (and the digest racing a merge), and the
// issue stats endpoint over any range.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchCounters } from '../../server/pipeline/digest-counters.ts';
import { insertEvents } from '../../server/pipeline/digest-issues.ts';
import type { PreparedEvent } from '../../server/pipeline/prepare.ts';
import { testDbKind } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { exc, workflow, type Issue } from './workflow-helpers.ts';

let s: TestServer;
let w: ReturnType<typeof workflow>;
beforeAll(async () => {
  s = await startTestServer();
  w = workflow(s);
});
afterAll(() => s?.close());

const hashesOf = async (id: string) => ((await s.api(`/issues/${id}/hashes/`)).body as Array<{ id: string; primary: boolean }>).map((h) => h.id).sort();
const primaryHashOf = async (id: string) => ((await s.api(`/issues/${id}/hashes/`)).body as Array<{ id: string; primary: boolean }>).find((h) => h.primary)!.id;
const eventCount = async (id: string) => (await s.tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE issue_id = $1', [Number(id)]))[0].n;
const tagCounts = async (id: string, key: string) => {
  const res = await s.api(`/issues/${id}/tags/${key}/`);
  if (res.status === 404) return {};
  return Object.fromEntries(res.body.topValues.map((v: { value: string; count: number }) => [v.value, v.count]));
};
const statsSum = async (id: string) => {
  const res = await s.api<Array<[number, number]>>(`/issues/${id}/stats/?statsPeriod=14d`);
  expect(res.status).toBe(200);
  return res.body.reduce((n, [, c]) => n + c, 0);
};
const merge = (ids: string[]) => s.api(`/organizations/faultline/issues/?${ids.map((id) => `id=${id}`).join('&')}`, { method: 'PUT', json: { merge: 1 } });

describe('merge, then unmerge', () => {
  let a: Issue;
  let b: Issue;
  let c: Issue;
  let bHash: string;
  let aHash: string;

  beforeAll(async () => {
    for (const user of ['a1', 'a2', 'a1']) await w.store(exc('MergeA', 'x', { user: { id: user }, environment: 'prod' }));
    for (const user of ['a2', 'b1']) await w.store(exc('MergeB', 'x', { user: { id: user }, environment: 'staging' }));
    await w.store(exc('MergeC'));
    await s.drain();
    const list = await s.api<Issue[]>(`/organizations/faultline/issues/?query=Merge&limit=100`);
    [a, b, c] = ['MergeA', 'MergeB', 'MergeC'].map((t) => list.body.find((i) => i.title.startsWith(t))!);
    bHash = await primaryHashOf(b.id);
    aHash = await primaryHashOf(a.id);
    await s.api(`/issues/${b.id}/comments/`, { method: 'POST', json: { text: 'on B before the merge' } });
  });

  it('merges into the issue with the most events, summing counts, tags, users and stats', async () => {
    const res = await merge([b.id, a.id, c.id]);
    expect(res.status).toBe(200);
    expect(res.body.merge).toEqual({ parent: a.id, children: [b.id, c.id] });
    const merged = await w.issue(a.id);
    expect(merged).toMatchObject({ count: '6', userCount: 3, title: a.title, numComments: 1 });
    expect(merged.firstSeen).toBe([a, b, c].map((i) => i.firstSeen).sort()[0]);
    expect(merged.lastSeen).toBe([a, b, c].map((i) => i.lastSeen).sort().at(-1));
    expect((await s.api(`/issues/${b.id}/`)).status).toBe(404);
    expect((await s.api(`/issues/${c.id}/`)).status).toBe(404);
    expect(await eventCount(a.id)).toBe(6);
    expect(await tagCounts(a.id, 'environment')).toEqual({ prod: 3, staging: 2 });
    expect(await statsSum(a.id)).toBe(6);
    expect((await hashesOf(a.id)).length).toBe(3);
    expect(await hashesOf(a.id)).toContain(bHash);
    const [act] = await w.activities(a.id);
    expect(act).toMatchObject({ type: 'merge', user: { email: 'admin@faultline.local' }, data: { issues: [{ id: b.id }, { id: c.id }] } });
    expect(await w.search('MergeB')).toEqual([]);
  });

  it('puts new events of a merged fingerprint on the survivor', async () => {
    const again = await w.send(exc('MergeB', 'x', { user: { id: 'b2' } }));
    expect(again.id).toBe(a.id);
    expect(again).toMatchObject({ count: '7', userCount: 4 });
  });

  it('unmerges a fingerprint back into a new issue with its events and correct counts', async () => {
    const res = await s.api(`/issues/${a.id}/hashes/?id=${bHash}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    const n = await w.issue(res.body.id);
    expect(n.title).toMatch(/^MergeB/);
    expect(n).toMatchObject({ count: '3', userCount: 3, status: 'unresolved' });
    expect(await eventCount(n.id)).toBe(3);
    expect(await tagCounts(n.id, 'environment')).toEqual({ staging: 2 });
    expect(await statsSum(n.id)).toBe(3);
    expect(await hashesOf(n.id)).toEqual([bHash]);

    const rest = await w.issue(a.id);
    // a1, a2 (a2 also had an event of A); titled by its latest event still there, as the digest does.
    expect(rest).toMatchObject({ count: '4', userCount: 2, title: 'MergeC: boom' });
    expect(await eventCount(a.id)).toBe(4);
    expect(await tagCounts(a.id, 'environment')).toEqual({ prod: 3 });
    expect(await statsSum(a.id)).toBe(4);
    expect(await hashesOf(a.id)).not.toContain(bHash);

    expect((await w.activities(a.id))[0]).toMatchObject({ type: 'unmerge_source', data: { fingerprints: [bHash], destination_id: n.id } });
    expect((await w.activities(n.id)).map((x) => x.type)).toEqual(['unmerge_destination', 'first_seen']);

    // The fingerprint now leads to the new issue.
    const next = await w.send(exc('MergeB', 'x'));
    expect(next).toMatchObject({ id: n.id, count: '4' });
    expect((await w.send(exc('MergeA', 'x'))).id).toBe(a.id);
  });

  it('unmerges the primary fingerprint: the old issue keeps the other one and reads as it', async () => {
    const res = await s.api(`/organizations/faultline/issues/${a.id}/hashes/?id=${aHash}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    const moved = await w.issue(res.body.id);
    expect(moved).toMatchObject({ count: '4', userCount: 2 });
    expect(moved.title).toMatch(/^MergeA/);
    const left = await w.issue(a.id);
    expect(left).toMatchObject({ count: '1', userCount: 0 });
    expect(left.title).toMatch(/^MergeC/);
    expect(await primaryHashOf(a.id)).not.toBe(aHash);
    expect((await w.send(exc('MergeA', 'x'))).id).toBe(moved.id);
    expect((await w.send(exc('MergeC'))).id).toBe(a.id);
  });

  it('refuses bad merges and unmerges with a 400', async () => {
    const [x] = await Promise.all([w.send(exc('MergeBad'))]);
    expect((await merge([x.id])).status).toBe(400);
    expect((await merge([x.id, '999999999'])).status).toBe(400); // only one visible issue
    const p = await w.createProject('merge-elsewhere');
    const y = await w.send(exc('MergeBad'), p);
    const across = await merge([x.id, y.id]);
    expect(across.status).toBe(400);
    expect(across.body.detail).toMatch(/project/);

    const only = await hashesOf(x.id);
    expect((await s.api(`/issues/${x.id}/hashes/?id=${only[0]}`, { method: 'DELETE' })).status).toBe(400); // its only hash
    expect((await s.api(`/issues/${x.id}/hashes/?id=${'0'.repeat(32)}`, { method: 'DELETE' })).status).toBe(400);
    expect((await s.api(`/issues/${x.id}/hashes/`, { method: 'DELETE' })).status).toBe(400);
    const bad = await s.api(`/issues/${x.id}/hashes/?id=not-a-hash`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toEqual(expect.any(String));
  });

  it('keeps an ignored survivor ignored: merged events are not "more events"', async () => {
    const keep = await w.send(exc('MergeIgnored', 'keep'));
    await w.send(exc('MergeIgnored', 'keep'));
    const other = await w.send(exc('MergeIgnored', 'other'));
    await w.put(keep.id, { status: 'ignored', statusDetails: { ignoreCount: 2 } });
    expect((await merge([keep.id, other.id])).body.merge.parent).toBe(keep.id);
    expect((await w.send(exc('MergeIgnored', 'other'))).status).toBe('ignored');
    expect(await w.send(exc('MergeIgnored', 'keep'))).toMatchObject({ status: 'unresolved', substatus: 'escalating' });
  });
});

describe('a digest batch racing a merge', () => {
  /** An event as the digest prepares it, grouped by the given hash. */
  const prepared = (hash: string): PreparedEvent => {
    const tags: [string, string][] = [['level', 'error']];
    return {
      queueId: 0,
      projectId: 1,
      eventId: randomUUID().replace(/-/g, ''),
      timestamp: new Date(),
      received: new Date(),
      type: 'error',
      level: 'error',
      platform: 'other',
      environment: null,
      release: null,
      title: 'RaceProbe: x',
      culprit: '',
      message: '',
      metadataJson: '{"type":"RaceProbe","value":"x"}',
      userKey: 'id:racer',
      userInfoJson: null,
      tags,
      hashes: [hash],
      primaryHash: hash,
      groupingVersion: 'test',
      tagsJson: JSON.stringify(tags),
      groupingJson: JSON.stringify({ version: 'test', hash, hashes: [hash] }),
    };
  };

  it('moves what the batch stored for an issue merged away meanwhile to the survivor', async () => {
    const loser = await w.send(exc('RaceLoser'));
    const survivor = await w.send(exc('RaceSurvivor'));
    await w.send(exc('RaceSurvivor'));
    const hash = await primaryHashOf(loser.id);
    // The batch grouped its event into the loser before the merge, and locks and counts after it.
    const ev = prepared(hash);
    const issueOf = new Map([[ev, Number(loser.id)]]);
    expect((await merge([loser.id, survivor.id])).body.merge.parent).toBe(survivor.id);
    await s.tdb.db.begin(async (tx) => {
      await insertEvents(tx, [ev], issueOf);
      const counters = new BatchCounters();
      counters.add([ev], issueOf);
      await counters.flush(tx);
    });
    const after = await w.issue(survivor.id);
    expect(after).toMatchObject({ count: '4', userCount: 1 });
    expect(await eventCount(survivor.id)).toBe(4);
    expect(await eventCount(loser.id)).toBe(0);
    expect(await statsSum(survivor.id)).toBe(4);
  });

  // Real concurrency needs a second connection: Postgres only (PGlite runs one transaction at a time).
  it.runIf(testDbKind() === 'postgres')('with a real concurrent merge, either order ends with every event counted once', async () => {
    // The merge commits while the batch has stored its events but not yet locked the issues.
    const l1 = await w.send(exc('RaceLive', 'loser'));
    const s1 = await w.send(exc('RaceLive', 'survivor'));
    await w.send(exc('RaceLive', 'survivor'));
    const ev1 = prepared(await primaryHashOf(l1.id));
    const map1 = new Map([[ev1, Number(l1.id)]]);
    await s.tdb.db.begin(async (tx) => {
      await insertEvents(tx, [ev1], map1);
      expect((await merge([l1.id, s1.id])).status).toBe(200);
      const counters = new BatchCounters();
      counters.add([ev1], map1);
      await counters.flush(tx);
    });
    expect(await w.issue(s1.id)).toMatchObject({ count: '4' });
    expect(await eventCount(s1.id)).toBe(4);

    // The batch locks first: the merge waits for it, then moves what it stored.
    const l2 = await w.send(exc('RaceLive2', 'loser'));
    const s2 = await w.send(exc('RaceLive2', 'survivor'));
    await w.send(exc('RaceLive2', 'survivor'));
    await w.send(exc('RaceLive2', 'survivor')); // still the most events after the batch adds one to the loser
    const ev2 = prepared(await primaryHashOf(l2.id));
    const map2 = new Map([[ev2, Number(l2.id)]]);
    let merging: Promise<unknown> | null = null;
    let merged = false;
    await s.tdb.db.begin(async (tx) => {
      await insertEvents(tx, [ev2], map2);
      const counters = new BatchCounters();
      counters.add([ev2], map2);
      await counters.flush(tx);
      merging = merge([l2.id, s2.id]).then((r) => {
        merged = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(merged).toBe(false); // waiting for the batch's row locks
    });
    expect(((await merging!) as { status: number }).status).toBe(200);
    expect(await w.issue(s2.id)).toMatchObject({ count: '5' });
    expect(await eventCount(s2.id)).toBe(5);
    expect(await statsSum(s2.id)).toBe(5);
  });

  it('drops what it stored for an issue deleted meanwhile', async () => {
    const gone = await w.send(exc('RaceDeleted'));
    const ev = prepared(await primaryHashOf(gone.id));
    const issueOf = new Map([[ev, Number(gone.id)]]);
    expect((await s.api(`/issues/${gone.id}/`, { method: 'DELETE' })).status).toBe(202);
    await s.tdb.db.begin(async (tx) => {
      await insertEvents(tx, [ev], issueOf);
      const counters = new BatchCounters();
      counters.add([ev], issueOf);
      await counters.flush(tx);
    });
    expect(await eventCount(gone.id)).toBe(0);
  });
});

describe('issue stats', () => {
  let id: string;
  beforeAll(async () => {
    const now = Date.now() / 1000;
    for (const ago of [2, 2, 2, 26, 5 * 24, 5 * 24]) await w.store(exc('StatsProbe', 'x', { timestamp: now - ago * 3600 }));
    await s.drain();
    id = (await w.search('StatsProbe'))[0];
  });
  const stats = async (qs: string) => {
    const res = await s.api<Array<[number, number]>>(`/issues/${id}/stats/?${qs}`);
    return { status: res.status, body: res.body, sum: Array.isArray(res.body) ? res.body.reduce((n, [, c]) => n + c, 0) : null };
  };

  it('covers a period ending now: hourly for short ones, daily for long ones', async () => {
    const day = await stats('statsPeriod=24h');
    expect(day.status).toBe(200);
    expect(day.body).toHaveLength(24);
    expect(day.sum).toBe(3);
    const hour = 3600;
    expect(day.body[1][0] - day.body[0][0]).toBe(hour);
    expect(day.body.at(-1)![0]).toBe(Math.floor(Date.now() / 1000 / hour) * hour);
    expect((await stats('')).body).toEqual(day.body); // 24h is the default

    const two = await stats('statsPeriod=14d');
    expect(two.body).toHaveLength(14);
    expect(two.body[1][0] - two.body[0][0]).toBe(86_400);
    expect(two.sum).toBe(6);
    expect((await stats('statsPeriod=90d')).body).toHaveLength(90);
    expect((await stats('statsPeriod=30d')).sum).toBe(6);
    const byDay = await stats('statsPeriod=48h&interval=1d');
    expect(byDay.body).toHaveLength(2);
    expect((await s.api(`/organizations/faultline/issues/${id}/stats/?statsPeriod=7d`)).body).toHaveLength(7);
  });

  it('covers any range given by start and end', async () => {
    const now = Date.now();
    const start = new Date(now - 3 * 86_400_000).toISOString();
    const end = new Date(now).toISOString();
    const hourly = await stats(`start=${start}&end=${end}&interval=1h`);
    expect(hourly.status).toBe(200);
    expect(hourly.body.length).toBeGreaterThanOrEqual(72);
    expect(hourly.body.length).toBeLessThanOrEqual(73);
    expect(hourly.sum).toBe(4);
    const daily = await stats(`start=${Math.floor(now / 1000) - 7 * 86_400}&end=${Math.floor(now / 1000)}&interval=1d`);
    expect(daily.sum).toBe(6);
    expect(daily.body[0][0] % 86_400).toBe(0);
    const narrow = await stats(`start=${new Date(now - 3 * 3_600_000).toISOString()}&end=${new Date(now - 3_600_000).toISOString()}`);
    expect(narrow.sum).toBe(3);
  });

  it('answers 400 for ranges it cannot serve', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const qs of [
      'interval=5m',
      'statsPeriod=91d',
      'statsPeriod=soon',
      'statsPeriod=36h&interval=1d',
      `start=${now - 3600}`,
      `start=${now}&end=${now - 3600}`,
      `start=${now - 400 * 86_400}&end=${now}&interval=1h`,
      `start=yesterday&end=${now}`,
      `statsPeriod=24h&start=${now - 3600}&end=${now}`,
    ]) {
      const res = await stats(qs);
      expect(res.status, qs).toBe(400);
      expect((res.body as unknown as { detail: string }).detail, qs).toEqual(expect.any(String));
    }
  });
});
