// Test helpers for the SDK's tests (test/unit/sdk-*.test.ts, test/db/sdk-*.test.ts, test/e2e/sdk-*.test.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { MakeRequest, TransportRequest, TransportResponse } from '../src/types.js';

export interface ParsedEnvelope {
  header: Record<string, any>;
  items: Array<{ header: Record<string, any>; payload: any }>;
}

/** Reads an envelope as our SDK writes it (and the JS SDKs do): JSON lines, no lengths. */
export function parseEnvelope(body: string | Buffer): ParsedEnvelope {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const lines = text.split('\n');
  const items: ParsedEnvelope['items'] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) items.push({ header: JSON.parse(lines[i]), payload: JSON.parse(lines[i + 1]) });
  return { header: JSON.parse(lines[0]), items };
}

/** A `transport` option that records requests and answers 200 (or what `respond` says). */
export function recordingTransport(respond: (req: TransportRequest, n: number) => TransportResponse | Promise<TransportResponse> = () => ({ status: 200 })) {
  const requests: TransportRequest[] = [];
  const makeRequest: MakeRequest = async (req) => {
    requests.push(req);
    return respond(req, requests.length);
  };
  return {
    requests,
    makeRequest,
    envelopes: () => requests.map((r) => parseEnvelope(r.body)),
    items: (type: string) => requests.flatMap((r) => parseEnvelope(r.body).items).filter((i) => i.header.type === type),
  };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Raw body as received. */
  raw: Buffer;
  /** Body after Content-Encoding. */
  body: string;
  envelope?: ParsedEnvelope;
}

/** A plain HTTP server that records every request (like test/fixtures/record/recorder.mjs). */
export async function startRecorder(respond: (r: RecordedRequest) => { status?: number; headers?: Record<string, string> } = () => ({})) {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const decoded = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
      const r: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body: decoded.toString('utf8') };
      if (r.url.includes('/envelope/')) {
        try {
          r.envelope = parseEnvelope(r.body);
        } catch {
          // left undefined
        }
      }
      requests.push(r);
      const { status = 200, headers = {} } = respond(r);
      res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-sentry-rate-limits, retry-after', ...headers });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    dsn: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${port}/7`,
    requests,
    envelopes: () => requests.filter((r) => r.envelope).map((r) => r.envelope!),
    items: (type: string) => requests.flatMap((r) => r.envelope?.items ?? []).filter((i) => i.header.type === type),
    async waitFor(pred: () => boolean, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`recorder: timed out; got ${requests.length} requests: ${requests.map((r) => r.body.slice(0, 200)).join('\n')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
