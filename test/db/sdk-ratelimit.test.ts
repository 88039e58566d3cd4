// Our SDK's send policy against the real server's per-key rate limit (protocol §4.3): once the server
// answers 429 with X-Sentry-Rate-Limits, the SDK stops sending that key's events for the announced
// time (no requests at all), keeps the app unaffected, and counts what it dropped. (A day-long window:
// windows are aligned to the epoch, and a boundary inside the test would refill the quota.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getClient } from '../../sdk/src/hub.ts';
import * as Faultline from '../../sdk/src/node/index.ts';
import { nodeRequest } from '../../sdk/src/node/transport.ts';
import type { TransportResponse } from '../../sdk/src/types.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await Faultline.close(1000);
  await s?.close();
});

describe('a DSN key over its rate limit', () => {
  it('makes the SDK back off for Retry-After instead of sending into the limit', async () => {
    const created = await s.api('/projects/faultline/my-service/keys/', { method: 'POST', json: { name: 'sdk backoff', rateLimit: { count: 2, window: 86_400 } } });
    expect(created.status).toBe(201);
    const key: string = created.body.id;
    const base = await s.listen();
    const send = nodeRequest('faultline.javascript.node/test');
    const answers: TransportResponse[] = [];
    Faultline.init({
      dsn: `${base.replace('//', `//${key}@`)}/1`,
      defaultIntegrations: false,
      transport: async (req) => {
        const res = await send(req);
        answers.push(res);
        return res;
      },
    });
    const drops: string[] = [];
    const client = getClient()!;
    const recordDrop = client.recordDrop.bind(client);
    client.recordDrop = (reason, category, n = 1) => {
      drops.push(`${reason}:${category}:${n}`);
      recordDrop(reason, category, n);
    };
    for (let i = 0; i < 6; i++) {
      expect(() => Faultline.captureException(new Error(`over the limit ${i}`))).not.toThrow();
      await Faultline.flush(5000);
    }
    // Two accepted, the third refused with the limit; the other three never left the process.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[2].rateLimits).toMatch(/^\d+::key/);
    expect(Number(answers[2].retryAfter)).toBeGreaterThan(0);
    const limits = getClient()!.transport.rateLimits();
    expect(limits.all).toBeGreaterThan(Date.now());
    // Each of the four events that did not get in is counted for the client report.
    expect(drops).toEqual(Array(4).fill('ratelimit_backoff:error:1'));
    await s.drain();
    const issues = (await s.api<Array<{ title: string; count: string }>>('/organizations/faultline/issues/?query=over+the+limit')).body;
    expect(issues.reduce((n, i) => n + Number(i.count), 0)).toBe(2);
  });
});
