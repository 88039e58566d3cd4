// The one app factory: production (`serve`), tests (app.request()) and the bench build the same app.
import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { databaseAwayResponse } from './errors.ts';
import { apiRoutes } from './api/index.ts';
import type { Ingest } from './ingest/handler.ts';
import { ingestRoutes } from './ingest/routes.ts';
import type { KeyCache } from './ingest/keys.ts';
import type { Logger } from './log.ts';
import { serveWeb } from './web.ts';

export type Role = 'ingest' | 'worker' | 'web';

export interface AppContext {
  config: Config;
  db: Database;
  log: Logger;
  keys?: KeyCache;
  /** Present when this process takes events (role ingest); the node:http server shares it (ingest/node.ts). */
  ingest?: Ingest;
  roles: ReadonlySet<Role>;
}

// The path routes see: `//` collapsed, the trailing slash dropped (Sentry's URLs end with one, clients
// differ; protocol §1.2), and an ingest URL's DSN path prefix removed (`https://key@host/sentry/42`
// posts to `/sentry/api/42/envelope/`, protocol §1.1).
const PREFIXED = /^\/.+?(\/api\/(?:\d+(?:\/.*)?|store\/?))$/;

export function requestPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  return start < 0 ? '/' : targetPath(url, start);
}

/** requestPath of a request target (`/path?query`, as node:http gives it), from `start`. */
export function targetPath(target: string, start = 0): string {
  const q = target.indexOf('?', start);
  let path = q < 0 ? target.slice(start) : target.slice(start, q);
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/';
  if (path.startsWith('/api/0/')) return path;
  const m = PREFIXED.exec(path);
  return m ? m[1] : path;
}

export function createApp(ctx: AppContext): Hono {
  const app = new Hono({ getPath: (req) => requestPath(req.url) });
  app.get('/_health', (c) => c.json({ ok: true }));
  if (ctx.roles.has('ingest') && ctx.ingest) app.route('/', ingestRoutes(ctx.ingest));
  if (ctx.roles.has('web')) {
    app.route('/', apiRoutes(ctx));
    serveWeb(app);
  }
  app.notFound((c) => c.json({ detail: 'not found' }, 404));
  app.onError((err, c) => {
    const away = databaseAwayResponse(err, `${c.req.method} ${c.req.path}`, ctx.log);
    if (away) return away;
    ctx.log.error('unhandled error', err);
    return c.json({ detail: 'internal error' }, 500);
  });
  return app;
}
