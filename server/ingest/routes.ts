// Ingest in the hono app: for tests through app.request(), and for any ingest request the node:http
// server does not hand to handler.ts itself (node.ts). The same handler answers both.
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { readBody } from './decode.ts';
import { CORS_HEADERS, preflightResponse, type Ingest, type IngestRequest, type IngestResponse } from './handler.ts';

type Env = { Bindings: Partial<HttpBindings> };

function fromContext(c: Context<Env>): IngestRequest {
  const url = c.req.url;
  const q = url.indexOf('?');
  return {
    path: c.req.path,
    query: q < 0 ? '' : url.slice(q + 1),
    header: (name) => c.req.header(name),
    body: (maxBytes) => readBody(c.req.header('content-length'), c.env?.incoming, c.req.raw.body, maxBytes),
    remoteAddress: c.env?.incoming?.socket?.remoteAddress ?? null,
  };
}

const toResponse = (c: Context<Env>, r: IngestResponse) => c.body(r.body as never, r.status as 200, r.headers);

export function ingestRoutes(ingest: Ingest): Hono<Env> {
  const app = new Hono<Env>();
  // Every answer of this app, ingest's own and (mounted at `/`) the rest of the server's, carries the
  // CORS headers browser SDKs need; every OPTIONS request is a preflight.
  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(CORS_HEADERS)) c.res.headers.set(k, v);
  });
  app.options('*', (c) => toResponse(c, preflightResponse()));
  app.post('*', async (c, next) => {
    const route = ingest.match(c.req.path);
    if (!route) return next();
    return toResponse(c, await route(fromContext(c)));
  });
  return app;
}
