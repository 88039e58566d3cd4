// Issue states through the real app with real events: resolve (now, in a release, in the next
// release), ignore (forever, for a while, until N more events or users, until a rate), reopen, the
// regressions and trips that bring issues back, and auto-resolve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoResolveStale, expireIgnores } from '../../server/jobs/issue-lifecycle.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { exc, workflow } from './workflow-helpers.ts';

let s: TestServer;
let w: ReturnType<typeof workflow>;
beforeAll(async () => {
  s = await startTestServer();
  w = workflow(s);
});
afterAll(() => s?.close());

const types = async (id: string) => (await w.activities(id)).map((a) => a.type);

describe('status transitions', () => {
  it('resolves, ignores and reopens, each with an activity naming who', async () => {
    const issue = await w.send(exc('TransitionProbe'));
    expect(issue.status).toBe('unresolved');

    const resolved = await w.put(issue.id, { status: 'resolved' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', substatus: null, statusDetails: {} });

    const ignored = await w.put(issue.id, { status: 'ignored' });
    expect(ignored.body).toMatchObject({ status: 'ignored', substatus: 'archived_forever', statusDetails: {} });

    const reopened = await w.put(issue.id, { status: 'unresolved' });
    expect(reopened.body).toMatchObject({ status: 'unresolved', substatus: 'ongoing', statusDetails: {} });

    const inRelease = await w.put(issue.id, { status: 'resolved', statusDetails: { inRelease: 'app@2.0.0' } });
    expect(inRelease.body).toMatchObject({ status: 'resolved', statusDetails: { inRelease: 'app@2.0.0' } });

    // The same change again changes nothing and records nothing.
    await w.put(issue.id, { status: 'resolved', statusDetails: { inRelease: 'app@2.0.0' } });

    const acts = await w.activities(issue.id);
    expect(acts.map((a) => a.type)).toEqual(['set_resolved_in_release', 'set_unresolved', 'set_ignored', 'set_resolved', 'first_seen']);
    expect(acts[0].data).toEqual({ version: 'app@2.0.0' });
    expect(acts[0].user?.email).toBe('admin@faultline.local');
    expect(acts.at(-1)).toMatchObject({ id: '0', user: null, dateCreated: issue.firstSeen });
  });

  it('searches by status', async () => {
    const a = await w.send(exc('StatusSearch', 'a'));
    const b = await w.send(exc('StatusSearch', 'b'));
    await w.put(a.id, { status: 'ignored', statusDetails: { ignoreCount: 10 } });
    expect(await w.search('StatusSearch is:ignored')).toEqual([a.id]);
    expect(await w.search('StatusSearch is:unresolved')).toEqual([b.id]);
  });

  it('answers 400 with a detail for bad changes', async () => {
    const issue = await w.send(exc('BadInputProbe'));
    const cases: unknown[] = [
      { status: 'sleeping' },
      {},
      { status: 'ignored', statusDetails: { ignoreWindow: 60 } },
      { status: 'ignored', statusDetails: { ignoreUserWindow: 60 } },
      { status: 'resolved', statusDetails: { ignoreCount: 5 } },
      { status: 'ignored', statusDetails: { ignoreCount: 0 } },
      { status: 'ignored', statusDetails: { ignoreDuration: 'soon' } },
      { status: 'unresolved', statusDetails: { inRelease: '1.0' } },
      { merge: 1 },
    ];
    for (const json of cases) {
      const res = await w.put(issue.id, json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.detail, JSON.stringify(json)).toEqual(expect.any(String));
    }
    expect((await w.issue(issue.id)).status).toBe('unresolved');
  });

  it('changes many issues at once, each with its own snapshot', async () => {
    const a = await w.send(exc('BulkIgnore', 'a'));
    await w.send(exc('BulkIgnore', 'a'));
    const b = await w.send(exc('BulkIgnore', 'b'));
    const res = await s.api(`/organizations/faultline/issues/?id=${a.id}&id=${b.id}`, { method: 'PUT', json: { status: 'ignored', statusDetails: { ignoreCount: 2 } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored', statusDetails: { ignoreCount: 2 } });
    expect((await w.issue(a.id)).statusDetails.state.timesSeen).toBe(2);
    expect((await w.issue(b.id)).statusDetails.state.timesSeen).toBe(1);
    const byQuery = await s.api(`/organizations/faultline/issues/?query=${encodeURIComponent('BulkIgnore is:ignored')}`, { method: 'PUT', json: { status: 'unresolved' } });
    expect(byQuery.status).toBe(200);
    expect((await w.issue(a.id)).status).toBe('unresolved');
    expect((await w.issue(b.id)).status).toBe('unresolved');
  });
});

describe('ignore conditions trip back to unresolved at the right event', () => {
  it('until N more events', async () => {
    const issue = await w.send(exc('IgnoreCount'));
    const res = await w.put(issue.id, { status: 'ignored', statusDetails: { ignoreCount: 3 } });
    expect(res.body).toMatchObject({ status: 'ignored', substatus: 'archived_until_condition_met', statusDetails: { ignoreCount: 3, state: { timesSeen: 1, userCount: 0 } } });
    expect((await w.send(exc('IgnoreCount'))).status).toBe('ignored');
    expect((await w.send(exc('IgnoreCount'))).status).toBe('ignored');
    const third = await w.send(exc('IgnoreCount'));
    expect(third).toMatchObject({ status: 'unresolved', substatus: 'escalating', statusDetails: {}, count: '4' });
    const acts = await w.activities(issue.id);
    expect(acts[0]).toMatchObject({ type: 'set_escalating', user: null, data: { expired_snooze: { ignoreCount: 3 } } });
  });

  it('until N more events, sent as Sentry\'s older top-level fields, counted within one batch', async () => {
    const issue = await w.send(exc('IgnoreCountBatch'));
    await w.put(issue.id, { status: 'ignored', ignoreCount: 2 });
    await w.store(exc('IgnoreCountBatch'));
    await w.store(exc('IgnoreCountBatch'));
    await s.drain();
    expect((await w.issue(issue.id)).substatus).toBe('escalating');
  });

  it('until N more users', async () => {
    const issue = await w.send(exc('IgnoreUsers', 'x', { user: { id: 'u0' } }));
    await w.put(issue.id, { status: 'ignored', statusDetails: { ignoreUserCount: 2 } });
    expect((await w.send(exc('IgnoreUsers', 'x', { user: { id: 'u0' } }))).status).toBe('ignored'); // not a new user
    expect((await w.send(exc('IgnoreUsers', 'x', { user: { id: 'u1' } }))).status).toBe('ignored');
    expect((await w.send(exc('IgnoreUsers', 'x', { user: { id: 'u1' } }))).status).toBe('ignored');
    expect((await w.send(exc('IgnoreUsers', 'x'))).status).toBe('ignored'); // no user at all
    const tripped = await w.send(exc('IgnoreUsers', 'x', { user: { id: 'u2' } }));
    expect(tripped).toMatchObject({ status: 'unresolved', substatus: 'escalating', userCount: 3 });
  });

  it('for a duration: the job brings it back when the time is up, and so does an event after it', async () => {
    const issue = await w.send(exc('IgnoreDuration'));
    const res = await w.put(issue.id, { status: 'ignored', statusDetails: { ignoreDuration: 30 } });
    const until = Date.parse(res.body.statusDetails.ignoreUntil);
    expect(until - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect((await w.send(exc('IgnoreDuration'))).status).toBe('ignored');
    expect(await expireIgnores(s.rt.db, new Date(until - 1000))).toEqual([]);
    expect(await expireIgnores(s.rt.db, new Date(until + 1000))).toEqual([Number(issue.id)]);
    expect(await w.issue(issue.id)).toMatchObject({ status: 'unresolved', substatus: 'ongoing', statusDetails: {} });
    expect((await w.activities(issue.id))[0]).toMatchObject({ type: 'auto_set_ongoing', data: { expired_snooze: { ignoreDuration: 30 } } });

    // Time up, the job not run yet: the next event brings it back.
    await w.put(issue.id, { status: 'ignored', statusDetails: { ignoreDuration: 30 } });
    await s.tdb.db.query(`UPDATE issues SET status_details = jsonb_set(status_details, '{ignoreUntil}', to_jsonb($2::text)) WHERE id = $1`, [
      Number(issue.id),
      new Date(Date.now() - 1000).toISOString(),
    ]);
    expect(await w.send(exc('IgnoreDuration'))).toMatchObject({ status: 'unresolved', substatus: 'ongoing' });
    expect((await w.activities(issue.id))[0].type).toBe('auto_set_ongoing');
  });

  it('until a rate: N events within the window', async () => {
    const issue = await w.send(exc('IgnoreRate'));
    await w.put(issue.id, { status: 'ignored', statusDetails: { ignoreCount: 3, ignoreWindow: 60 } });
    // First seen three hours ago, ignored two hours ago, and two events since then, both before the window.
    await s.tdb.db.query(`UPDATE events SET timestamp = now() - interval '3 hours' WHERE issue_id = $1`, [Number(issue.id)]);
    await s.tdb.db.query(`UPDATE issues SET status_details = jsonb_set(status_details, '{state,since}', to_jsonb($2::text)) WHERE id = $1`, [
      Number(issue.id),
      new Date(Date.now() - 2 * 3_600_000).toISOString(),
    ]);
    const old = Date.now() / 1000 - 90 * 60;
    expect((await w.send(exc('IgnoreRate', 'boom', { timestamp: old }))).status).toBe('ignored');
    expect((await w.send(exc('IgnoreRate', 'boom', { timestamp: old + 1 }))).status).toBe('ignored');
    // Five events since ignoring, but only the ones within the last hour count.
    expect((await w.send(exc('IgnoreRate'))).status).toBe('ignored');
    expect((await w.send(exc('IgnoreRate'))).status).toBe('ignored');
    expect(await w.send(exc('IgnoreRate'))).toMatchObject({ status: 'unresolved', substatus: 'escalating' });
  });

  it('until N users within a window', async () => {
    const issue = await w.send(exc('IgnoreUserRate', 'x', { user: { id: 'a' } }));
    await w.put(issue.id, { status: 'ignored', statusDetails: { ignoreUserCount: 2, ignoreUserWindow: 60 } });
    expect((await w.send(exc('IgnoreUserRate', 'x', { user: { id: 'a' } }))).status).toBe('ignored');
    expect((await w.send(exc('IgnoreUserRate', 'x', { user: { id: 'a' } }))).status).toBe('ignored');
    expect(await w.send(exc('IgnoreUserRate', 'x', { user: { id: 'b' } }))).toMatchObject({ status: 'unresolved', substatus: 'escalating' });
  });

  it('forever: nothing brings it back', async () => {
    const issue = await w.send(exc('IgnoreForever'));
    await w.put(issue.id, { status: 'ignored' });
    for (let i = 0; i < 3; i++) await w.store(exc('IgnoreForever', 'boom', { user: { id: `u${i}` } }));
    await s.drain();
    expect(await expireIgnores(s.rt.db, new Date(Date.now() + 365 * 86_400_000))).not.toContain(Number(issue.id));
    expect((await w.issue(issue.id)).status).toBe('ignored');
  });
});

describe('regressions', () => {
  it('reopens a resolved issue on a new event, with a set_regression activity', async () => {
    const issue = await w.send(exc('RegressNow', 'x', { release: 'r1' }));
    await w.put(issue.id, { status: 'resolved' });
    const again = await w.send(exc('RegressNow', 'x', { release: 'r1' }));
    expect(again).toMatchObject({ status: 'unresolved', substatus: 'regressed' });
    const [act] = await w.activities(issue.id);
    expect(act).toMatchObject({ type: 'set_regression', user: null, data: { version: 'r1', eventId: expect.any(String) } });
  });

  it('in the next release: stays resolved for the current and older releases, regresses for a later one', async () => {
    const p = await w.createProject('next-release-semver');
    await w.send(exc('Other', 'x', { release: 'svc@1.0.0' }), p);
    const issue = await w.send(exc('NextRelease', 'x', { release: 'svc@1.0.0' }), p);
    await w.send(exc('Other', 'x', { release: 'svc@1.1.0' }), p);
    await w.send(exc('Other', 'x', { release: 'svc@1.0.5' }), p); // seen later, but not the latest version
    const res = await w.put(issue.id, { status: 'resolvedInNextRelease' });
    expect(res.body).toMatchObject({ status: 'resolved', statusDetails: { inNextRelease: true, currentRelease: 'svc@1.1.0' } });
    expect((await w.activities(issue.id))[0]).toMatchObject({ type: 'set_resolved_in_release', data: { version: '', inNextRelease: true } });
    for (const release of ['svc@1.1.0', 'svc@1.0.0', 'svc@1.0.5', undefined]) {
      expect((await w.send(exc('NextRelease', 'x', release ? { release } : {}), p)).status, String(release)).toBe('resolved');
    }
    expect(await w.send(exc('NextRelease', 'x', { release: 'svc@1.2.0' }), p)).toMatchObject({ status: 'unresolved', substatus: 'regressed' });
  });

  it('in the next release, with releases that are not versions: ordered by when the project first saw them', async () => {
    const p = await w.createProject('next-release-sha');
    const now = Date.now() / 1000;
    const issue = await w.send(exc('NextSha', 'x', { release: 'abc123f', timestamp: now - 7200 }), p);
    await w.send(exc('NextSha', 'x', { release: 'def456a', timestamp: now - 3600 }), p);
    const res = await w.put(issue.id, { status: 'resolved', statusDetails: { inNextRelease: true } });
    expect(res.body.statusDetails).toMatchObject({ inNextRelease: true, currentRelease: 'def456a' });
    expect((await w.send(exc('NextSha', 'x', { release: 'abc123f' }), p)).status).toBe('resolved');
    expect((await w.send(exc('NextSha', 'x', { release: 'def456a' }), p)).status).toBe('resolved');
    expect((await w.send(exc('NextSha', 'x', { release: '0aa9b8c' }), p)).status).toBe('unresolved');
  });

  it('in the next release with no release yet: the first event with a release regresses', async () => {
    const p = await w.createProject('next-release-none');
    const issue = await w.send(exc('NextNone'), p);
    const res = await w.put(issue.id, { status: 'resolvedInNextRelease' });
    expect(res.body.statusDetails).toMatchObject({ inNextRelease: true, currentRelease: null });
    expect((await w.send(exc('NextNone'), p)).status).toBe('resolved');
    expect((await w.send(exc('NextNone', 'boom', { release: '1.0.0' }), p)).status).toBe('unresolved');
  });

  it('in release R: versions order releases; others by first sighting; "latest" names the latest', async () => {
    const p = await w.createProject('in-release');
    const issue = await w.send(exc('InRelease', 'x', { release: '2.0.0' }), p);
    await w.put(issue.id, { status: 'resolved', statusDetails: { inRelease: '2.1.0' } });
    expect((await w.send(exc('InRelease', 'x', { release: '2.0.0' }), p)).status).toBe('resolved');
    expect((await w.send(exc('InRelease', 'x', { release: '2.1.0' }), p)).status).toBe('resolved');
    expect((await w.send(exc('InRelease', 'x', { release: '2.1.1' }), p)).status).toBe('unresolved');

    const latest = await w.put(issue.id, { status: 'resolved', statusDetails: { inRelease: 'latest' } });
    expect(latest.body.statusDetails).toEqual({ inRelease: '2.1.1' });

    const q = await w.createProject('in-release-sha');
    const now = Date.now() / 1000;
    const sha = await w.send(exc('InSha', 'x', { release: 'aaa111b', timestamp: now - 7200 }), q);
    await w.send(exc('InSha', 'x', { release: 'bbb222c', timestamp: now - 3600 }), q);
    await w.put(sha.id, { status: 'resolved', statusDetails: { inRelease: 'bbb222c' } });
    expect((await w.send(exc('InSha', 'x', { release: 'aaa111b' }), q)).status).toBe('resolved');
    expect((await w.send(exc('InSha', 'x', { release: 'ccc333d' }), q)).status).toBe('unresolved');
  });
});

describe('auto-resolve', () => {
  it('is set per project, off by default', async () => {
    const get = await s.api('/projects/faultline/my-service/');
    expect(get.status).toBe(200);
    const bad = await s.api('/projects/faultline/my-service/', { method: 'PUT', json: { resolveAgeHours: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/resolveAgeHours/);
    expect((await s.api('/projects/faultline/my-service/', { method: 'PUT', json: {} })).status).toBe(400);
    const renamed = await s.api('/projects/faultline/my-service/', { method: 'PUT', json: { name: 'My Service' } });
    expect(renamed.body).toMatchObject({ name: 'My Service', resolveAgeHours: 0 });
  });

  it('resolves issues without events for the project\'s age, once, with an activity', async () => {
    const p = await w.createProject('auto-resolve');
    const stale = await w.send(exc('Stale'), p);
    const fresh = await w.send(exc('Fresh'), p);
    const ignored = await w.send(exc('StaleIgnored'), p);
    await w.put(ignored.id, { status: 'ignored' });
    const elsewhere = await w.send(exc('StaleElsewhere')); // project 1: no auto-resolve
    await s.tdb.db.query(`UPDATE issues SET last_seen = now() - interval '3 hours' WHERE id = ANY($1::int8[])`, [[stale.id, ignored.id, elsewhere.id].map(Number)]);

    expect(await autoResolveStale(s.rt.db)).toEqual([]); // off
    const set = await s.api(`/projects/faultline/${p.slug}/`, { method: 'PUT', json: { resolveAgeHours: 2 } });
    expect(set.status).toBe(200);
    expect(set.body.resolveAgeHours).toBe(2);

    // Two processes running the job at once: each issue is resolved, and recorded, once.
    const [a, b] = await Promise.all([autoResolveStale(s.rt.db), autoResolveStale(s.rt.db)]);
    expect([...a, ...b]).toEqual([Number(stale.id)]);
    expect(await w.issue(stale.id)).toMatchObject({ status: 'resolved', statusDetails: { autoResolved: true } });
    expect((await types(stale.id)).filter((t) => t === 'set_resolved_by_age')).toHaveLength(1);
    expect((await w.activities(stale.id))[0].data).toEqual({ age: 2 });
    expect((await w.issue(fresh.id)).status).toBe('unresolved');
    expect((await w.issue(ignored.id)).status).toBe('ignored');
    expect((await w.issue(elsewhere.id)).status).toBe('unresolved');

    // With a clock three hours ahead, the fresh one is stale too.
    expect(await autoResolveStale(s.rt.db, new Date(Date.now() + 3 * 3_600_000))).toEqual([Number(fresh.id)]);
    // A new event regresses an auto-resolved issue.
    expect((await w.send(exc('Stale'), p)).substatus).toBe('regressed');

    await s.api(`/projects/faultline/${p.slug}/`, { method: 'PUT', json: { resolveAgeHours: null } });
    expect(await autoResolveStale(s.rt.db, new Date(Date.now() + 30 * 86_400_000))).toEqual([]);
  });
});
