// The built Node SDK (sdk/dist, ESM and CJS) in real child processes, sending to a local recorder:
// uncaught exceptions and unhandled rejections are reported, flushed, and then the process ends as
// Node would have ended it; breadcrumbs from console, node:http and fetch; context lines, in_app and
// module names; logs sent at exit without a flush; gzip; an unreachable server does not hang the app.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../sdk/build.mjs';
import { startRecorder } from '../../sdk/test/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir = '';
let dist = '';
let rec: Awaited<ReturnType<typeof startRecorder>>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-sdk-node-'));
  dist = path.join(dir, 'dist');
  await build({ outdir: dist, quiet: true, types: false });
  fs.copyFileSync(path.join(ROOT, 'sdk/test/apps/node-app.mjs'), path.join(dir, 'app.mjs'));
  fs.mkdirSync(path.join(dir, 'node_modules/fake-lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules/fake-lib/package.json'), '{"name":"fake-lib","version":"1.0.0","main":"index.js"}');
  fs.writeFileSync(path.join(dir, 'node_modules/fake-lib/index.js'), 'exports.run = function run(fn) {\n  return fn();\n};\n');
  rec = await startRecorder((r) => ({ status: r.url.startsWith('/missing') ? 404 : 200 }));
}, 60_000);

afterAll(async () => {
  await rec?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function run(scenario: string, nodeArgs: string[] = [], dsn = rec.dsn): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FAULTLINE_SDK: dist, FAULTLINE_DSN: dsn, ECHO_URL: rec.base };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [...nodeArgs, path.join(dir, 'app.mjs'), scenario], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Events the recorder got whose main exception value matches. */
const eventsWith = (value: RegExp) => rec.items('event').map((i) => i.payload).filter((e) => value.test(e.exception?.values.at(-1)?.value ?? e.message ?? ''));

describe('unhandled errors in a Node process', () => {
  it('uncaught exception: reported as fatal, flushed, then Node prints it and exits with 1', async () => {
    const r = await run('uncaught');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: Unhandled failure in worker job 77');
    expect(r.stderr).toMatch(/at runJob \(.*app\.mjs:\d+:\d+\)/);
    const [e] = eventsWith(/job 77/);
    expect(e.level).toBe('fatal');
    expect(e.exception.values[0].mechanism).toEqual({ type: 'auto.node.onuncaughtexception', handled: false });
    expect(e.exception.values[0].stacktrace.frames.at(-1)).toMatchObject({ function: 'runJob', in_app: true, module: 'app' });
    expect(e.user).toEqual({ id: 'u-1' });
  });

  it('uncaught exception with the app\'s own handler: reported, and the process lives on as Node would let it', async () => {
    const r = await run('uncaught-app-handler');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('app handled: Unhandled failure in worker job 78');
    expect(r.stdout).toContain('still running');
    expect(eventsWith(/job 78/)).toHaveLength(1);
  });

  it('unhandled rejection (Node\'s default mode throw): reported once, then the process exits with 1', async () => {
    const r = await run('rejection');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('should not get here');
    expect(r.stderr).toContain('Error: Rejected promise for job 79');
    const events = eventsWith(/job 79/);
    expect(events).toHaveLength(1);
    expect(events[0].level).toBe('error');
    expect(events[0].exception.values[0].mechanism).toEqual({ type: 'auto.node.onunhandledrejection', handled: false });
  });

  it('unhandled rejection of a non-error: reported with its value, Node\'s ERR_UNHANDLED_REJECTION ends the process', async () => {
    const r = await run('rejection-string');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_UNHANDLED_REJECTION');
    const [e] = eventsWith(/^plain reason$/);
    expect(e.exception.values[0]).toMatchObject({ type: 'Error', value: 'plain reason', mechanism: { synthetic: true, handled: false } });
    expect(eventsWith(/This error originated/)).toHaveLength(0);
  });

  it('--unhandled-rejections=warn: reported, and the process goes on', async () => {
    const r = await run('rejection-warn', ['--unhandled-rejections=warn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('still running');
    expect(eventsWith(/job 80/)).toHaveLength(1);
  });
});

describe('event contents from a Node process', () => {
  it('breadcrumbs from console, node:http and fetch (query strings left out), not from the SDK\'s own requests', async () => {
    const r = await run('breadcrumbs');
    expect(r.code).toBe(0);
    const [e] = eventsWith(/order 1001/);
    const crumbs = e.breadcrumbs.map((b: { category: string; message?: string; level?: string; data?: Record<string, unknown> }) => [b.category, b.message ?? b.data, b.level]);
    expect(crumbs).toEqual([
      ['console', 'loading cart 7', 'info'],
      ['console', 'cart is large', 'warning'],
      ['http', { method: 'GET', url: `${rec.base}/inventory`, status_code: 200 }, undefined],
      ['http', { method: 'POST', url: `${rec.base}/prices`, status_code: 200 }, undefined],
      ['http', { method: 'GET', url: `${rec.base}/missing`, status_code: 404 }, 'warning'],
    ]);
  });

  it('context lines from the source file, in_app and module names as @sentry/node derives them', async () => {
    const r = await run('library-frame');
    expect(r.code).toBe(0);
    const [e] = eventsWith(/order 1002/);
    const frames = e.exception.values[0].stacktrace.frames;
    const top = frames.at(-1);
    expect(top).toMatchObject({ function: 'chargeCard', module: 'app', in_app: true, filename: path.join(dir, 'app.mjs') });
    expect(top.context_line).toBe('  throw new PaymentError(`Card declined for order ${orderId}`);');
    expect(top.pre_context.at(-1)).toBe('function chargeCard(orderId) {');
    expect(top.post_context[0]).toBe('}');
    const lib = frames.find((f: { function: string }) => /\brun$/.test(f.function));
    expect(lib).toMatchObject({ module: 'fake-lib:index', in_app: false, context_line: '  return fn();' });
    expect(e.contexts.runtime).toEqual({ name: 'node', version: process.version });
    expect(e.contexts.os.kernel_version).toBe(os.release());
    expect(e.server_name).toBe(os.hostname());
  });

  it('sends buffered logs when the process runs out of work, without a flush', async () => {
    const r = await run('logs-at-exit');
    expect(r.code).toBe(0);
    const logs = rec.items('log').flatMap((i) => i.payload.items).filter((l: { body: string }) => /^Job 8[12] started$/.test(l.body));
    expect(logs.map((l: { attributes: Record<string, { value: unknown }> }) => l.attributes['sentry.message.template'].value)).toEqual(['Job %s started', 'Job %s started']);
  });

  it('the CommonJS build works the same', async () => {
    const r = await run('cjs');
    expect(r.code).toBe(0);
    const [e] = rec.items('event').map((i) => i.payload).filter((p) => p.message === 'from the CommonJS build');
    expect(e.sdk.name).toBe('faultline.javascript.node');
  });

  it('gzips envelopes over 32 KiB', async () => {
    await run('large');
    const req = rec.requests.find((r) => r.envelope?.items[0]?.payload?.message === 'large event')!;
    expect(req.headers['content-encoding']).toBe('gzip');
    expect(req.raw.length).toBeLessThan(req.body.length / 5);
  });

  it('an unreachable server costs the app nothing: no throw, flush returns, normal exit', async () => {
    const closed = await startRecorder();
    const dsn = closed.dsn;
    await closed.close();
    // (run() kills a child that is still alive after 20 s, which would fail the exit code check.)
    const r = await run('unreachable', [], dsn);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('flushed: true');
    expect(r.stderr).toBe('');
  });
});
