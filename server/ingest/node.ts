// The node:http request listener of the server: ingest requests go straight to handler.ts, everything
// else to the hono app. Ingest is the server's hottest path, and building the web Request and Response
// objects around each of its requests cost ~15% of the main thread's time per event (handler.ts).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { requestPath, targetPath } from '../app.ts';
import { readBody } from './decode.ts';
import { preflightResponse, type Ingest, type IngestRequest, type IngestResponse } from './handler.ts';

function fromNode(req: IncomingMessage, path: string, target: string): IngestRequest {
  const q = target.indexOf('?');
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  return {
    path,
    query: q < 0 ? '' : target.slice(q + 1),
    header,
    body: (maxBytes) => readBody(header('content-length'), req, null, maxBytes),
    remoteAddress: req.socket.remoteAddress ?? null,
  };
}

function send(res: ServerResponse, r: IngestResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = r.body;
  try {
    // A string body stays a string: node:http then sends it in one write with the headers, where a
    // Buffer goes as a second chunk of a writev.
    res.writeHead(r.status, body !== null ? { ...r.headers, 'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) } : r.headers);
    res.end(body ?? undefined);
  } catch (err) {
    console.error('ingest: could not answer', err);
    res.destroy();
  }
}

/** Ingest's POSTs and preflights to handler.ts, the rest to `fallback` (the hono app's listener). */
export function ingestListener(ingest: Ingest, fallback: RequestListener): RequestListener {
  return (req, res) => {
    const method = req.method;
    if (method === 'POST' || method === 'OPTIONS') {
      const target = req.url ?? '/';
      const path = target.startsWith('/') ? targetPath(target) : requestPath(target);
      const route = ingest.match(path);
      if (route) {
        if (method === 'OPTIONS') send(res, preflightResponse());
        else void route(fromNode(req, path, target)).then((r) => send(res, r));
        return;
      }
    }
    fallback(req, res);
  };
}
