// The Node network call: one POST with node:http(s), gzip over 32 KiB (as @sentry/node; zlib runs on
// the thread pool, so the event loop never waits on it), a timeout, and a keep-alive agent whose idle
// sockets do not keep the process alive. Send policy is in ../transport.ts.

import http from 'node:http';
import https from 'node:https';
import { gzip } from 'node:zlib';
import type { MakeRequest } from '../types.js';

export const GZIP_THRESHOLD = 32 * 1024;

/** Requests the SDK itself makes, so that the http breadcrumbs leave them out. */
export const ownRequests = new WeakSet<object>();

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 6 }), https: new https.Agent({ keepAlive: true, maxSockets: 6 }) };

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v) ?? null;

export function nodeRequest(userAgent: string): MakeRequest {
  return async ({ url, body, timeout }) => {
    let data: Buffer = Buffer.from(body, 'utf8');
    const headers: Record<string, string> = { 'content-type': 'application/x-sentry-envelope', 'user-agent': userAgent };
    if (data.length > GZIP_THRESHOLD) {
      data = await new Promise<Buffer>((resolve, reject) => gzip(data, (err, out) => (err ? reject(err) : resolve(out))));
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(data.length);
    const u = new URL(url);
    const https_ = u.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (https_ ? https : http).request(u, { method: 'POST', headers, agent: https_ ? agents.https : agents.http }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, rateLimits: header(res.headers['x-sentry-rate-limits']), retryAfter: header(res.headers['retry-after']) });
      });
      ownRequests.add(req);
      req.setTimeout(timeout, () => req.destroy(new Error(`timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  };
}
