// The one app factory: production (`serve`), tests (app.request()) and the bench build the same app.
import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { apiRoutes } from './api/index.ts';
import { ingestRoutes } from './ingest/routes.ts';
import type { KeyCache } from './ingest/keys.ts';
import type { Logger } from './log.ts';
import type { QueueWriter } from './pipeline/queue.ts';
import { serveWeb } from './web.ts';

export type Role = 'ingest' | 'worker' | 'web';

export interface AppContext {
  config: Config;
  db: Database;
  log: Logger;
  /** Present when this process takes events (role ingest). */
  queue?: QueueWriter;
  keys?: KeyCache;
  roles: ReadonlySet<Role>;
}

// The path routes see: `//` collapsed, the trailing slash dropped (Sentry's URLs end with one, clients
// differ; protocol §1.2), and an ingest URL's DSN path prefix removed (`https://key@host/sentry/42`
// posts to `/sentry/api/42/envelope/`, protocol §1.1).
const PREFIXED = /^\/.+?(\/api\/(?:\d+(?:\/.*)?|store\/?))$/;

export function requestPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  let path = q < 0 ? url.slice(start) : url.slice(start, q);
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/';
  if (path.startsWith('/api/0/')) return path;
  const m = PREFIXED.exec(path);
  return m ? m[1] : path;
}

export function createApp(ctx: AppContext): Hono {
  const app = new Hono({ getPath: (req) => requestPath(req.url) });
  app.get('/_health', (c) => c.json({ ok: true }));
  if (ctx.roles.has('ingest') && ctx.queue && ctx.keys) {
    app.route('/', ingestRoutes({ config: ctx.config, queue: ctx.queue, keys: ctx.keys }));
  }
  if (ctx.roles.has('web')) {
    app.route('/', apiRoutes(ctx));
    serveWeb(app);
  }
  app.notFound((c) => c.json({ detail: 'not found' }, 404));
  app.onError((err, c) => {
    ctx.log.error('unhandled error', err);
    return c.json({ detail: 'internal error' }, 500);
  });
  return app;
}
