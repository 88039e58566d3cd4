// A started server as its users reach it, over HTTP: the web API with the admin token of the e2e tests,
// and events and logs sent as plain HTTP clients send them (waiting for the digest: helpers/wait.ts).
import { expect } from 'vitest';

export const TOKEN = 'flt_e2e_token_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

export async function api(base: string, p: string) {
  const res = await fetch(`${base}/api/0${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.json();
}

export async function sumOfCounts(base: string): Promise<number> {
  const issues = await api(base, '/organizations/faultline/issues/?query=&limit=100');
  return issues.reduce((n: number, i: { count: string }) => n + Number(i.count), 0);
}

/** Sends `requests` × 50 log records (our minimal JSON) and checks every request was acknowledged. */
export async function sendLogs(base: string, dsn: string, requests: number): Promise<void> {
  const key = new URL(dsn).username;
  const projectId = new URL(dsn).pathname.slice(1);
  await Promise.all(
    Array.from({ length: requests }, async (_, r) => {
      const logs = Array.from({ length: 50 }, (_, i) => ({ level: i % 10 === 0 ? 'error' : 'info', body: `crash probe job ${r * 50 + i} finished in ${i} ms` }));
      const res = await fetch(`${base}/api/${projectId}/logs/?sentry_key=${key}`, { method: 'POST', body: JSON.stringify({ logs }) });
      expect(res.status).toBe(200);
    }),
  );
}

/** Log records stored, counted through the patterns. */
export async function sumOfLogCounts(base: string): Promise<number> {
  const patterns = await api(base, '/organizations/faultline/log-patterns/?statsPeriod=1h');
  return patterns.reduce((n: number, p: { count: number }) => n + p.count, 0);
}

/** Sends `n` distinct events over raw HTTP, concurrently, and checks every one was acknowledged. */
export async function sendMany(base: string, dsn: string, n: number): Promise<void> {
  const key = new URL(dsn).username;
  const projectId = new URL(dsn).pathname.slice(1);
  const send = async (i: number) => {
    const res = await fetch(`${base}/api/${projectId}/store/?sentry_key=${key}`, {
      method: 'POST',
      body: JSON.stringify({ exception: { values: [{ type: `CrashProbe${i % 7}`, value: `attempt ${i}` }] } }),
    });
    expect(res.status).toBe(200);
  };
  for (let i = 0; i < n; i += 25) await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => send(i + j)));
}
