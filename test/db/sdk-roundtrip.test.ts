// Our SDK against the real server over HTTP, next to the official @sentry/node: the same app code
// (sdk/test/apps/same-errors.mjs) reports the same errors, a message and fmt logs through each SDK in
// its own process. Every issue must hold events from both SDKs (same grouping), and the logs of both
// must share one pattern per template.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../sdk/build.mjs';
import { FIXTURE_KEY, startTestServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = path.join(ROOT, 'sdk/test/apps/same-errors.mjs');

interface Issue {
  id: string;
  title: string;
  count: string;
  culprit: string;
}

let s: TestServer;
let dist = '';
let issues: Issue[] = [];
const sdksOf = new Map<string, string[]>();

beforeAll(async () => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-sdk-rt-'));
  const [server] = await Promise.all([startTestServer(), build({ outdir: dist, quiet: true, types: false })]);
  s = server;
  const base = await s.listen();
  const dsn = `${base.replace('//', `//${FIXTURE_KEY}@`)}/1`;
  const env: NodeJS.ProcessEnv = { ...process.env, FAULTLINE_SDK: dist };
  delete env.NODE_OPTIONS;
  for (const which of ['sentry', 'faultline']) {
    const { stdout } = await run(process.execPath, [APP, which, dsn], { cwd: ROOT, env, timeout: 30_000 });
    expect(stdout).toContain('flushed');
  }
  await s.drain();
  issues = (await s.api<Issue[]>('/organizations/faultline/issues/?query=&limit=100')).body;
  for (const issue of issues) {
    const events = (await s.api<Array<{ sdk: { name: string } }>>(`/issues/${issue.id}/events/?full=true`)).body;
    sdksOf.set(issue.id, events.map((e) => e.sdk.name).sort());
  }
}, 120_000);

afterAll(async () => {
  await s?.close();
  if (dist) fs.rmSync(dist, { recursive: true, force: true });
});

const BOTH = ['faultline.javascript.node', 'sentry.javascript.node'];
const find = (title: RegExp) => {
  const hit = issues.filter((i) => title.test(i.title));
  expect(hit, `${title}: ${issues.map((i) => i.title).join(' | ')}`).toHaveLength(1);
  return hit[0];
};

describe('the same errors from our SDK and from @sentry/node', () => {
  it('make exactly the same issues, each holding both SDKs\' events', () => {
    expect(issues).toHaveLength(6);
    for (const issue of issues) {
      const sdks = [...new Set(sdksOf.get(issue.id))];
      expect(sdks, issue.title).toEqual(BOTH);
    }
  });

  it('group one error type from one code path across values (orders 1001 and 1002), twice per SDK', () => {
    const payment = find(/^PaymentError: Card declined for order 100[12]$/);
    expect(Number(payment.count)).toBe(4);
    expect(sdksOf.get(payment.id)).toEqual([BOTH[0], BOTH[0], BOTH[1], BOTH[1]]);
    expect(payment.culprit).toBe('chargeCard(same-errors)');
  });

  it('keep another error, a cause chain, a TypeError in a method, a thrown string and a message apart', () => {
    expect(Number(find(/^RangeError: Quantity -3/).count)).toBe(2);
    expect(Number(find(/^Error: Checkout failed for order 1003$/).count)).toBe(2);
    expect(Number(find(/^TypeError: Cannot read properties of null/).count)).toBe(2);
    expect(Number(find(/a plain string was thrown/).count)).toBe(2);
    expect(Number(find(/Nightly export finished with 3 warnings/).count)).toBe(2);
  });

  it('send frames the server reads the same way: culprits and in-app frames agree', async () => {
    const typeError = find(/^TypeError/);
    expect(typeError.culprit).toBe('Cart.total(same-errors)');
    const latest = (await s.api<{ entries: Array<{ type: string; data: { values: Array<{ stacktrace: { frames: Array<{ function: string; in_app: boolean; module: string }> } }> } }> }>(`/issues/${typeError.id}/events/latest/`)).body;
    const exc = latest.entries.find((e) => e.type === 'exception')!;
    const top = exc.data.values[0].stacktrace.frames.at(-1)!;
    expect(top).toMatchObject({ function: 'Cart.total', in_app: true, module: 'same-errors' });
  });
});

describe('logs from both SDKs', () => {
  interface Log {
    body: string;
    patternId: string;
    attributes: Record<string, unknown>;
  }
  it('land in one pattern per template, whichever SDK sent them', async () => {
    const logs = (await s.api<Log[]>(`/organizations/faultline/logs/?query=${encodeURIComponent('logged in')}`)).body;
    expect(logs).toHaveLength(6);
    expect(new Set(logs.map((l) => l.attributes['sentry.sdk.name']))).toEqual(new Set(BOTH));
    expect(new Set(logs.map((l) => l.patternId)).size).toBe(1);
    const slow = (await s.api<Log[]>(`/organizations/faultline/logs/?query=${encodeURIComponent('Slow query')}`)).body;
    expect(slow).toHaveLength(2);
    expect(new Set(slow.map((l) => l.patternId)).size).toBe(1);
    expect(slow[0].patternId).not.toBe(logs[0].patternId);
    const patterns = (await s.api<Array<{ id: string; pattern: string; count: number }>>('/organizations/faultline/log-patterns/')).body;
    expect(patterns.find((p) => p.id === logs[0].patternId)).toMatchObject({ pattern: 'User %s logged in', count: 6 });
  });
});
