// The web API (`/api/0/...`), shaped like Sentry's. Authentication: `Authorization: Bearer <token>`.
// One router file per resource; access checks happen in context.ts.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppContext } from '../app.ts';
import { actorFromToken } from '../auth/access.ts';
import { ApiError } from '../errors.ts';
import type { ApiEnv } from './context.ts';
import { eventRoutes } from './events.ts';
import { issueRoutes } from './issues.ts';
import { organizationRoutes } from './organizations.ts';
import { projectRoutes } from './projects.ts';

export function apiRoutes(ctx: AppContext): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();

  api.onError((err, c) => {
    if (err instanceof ApiError) return c.json({ detail: err.message, code: err.code }, err.status);
    if (err instanceof HTTPException) return c.json({ detail: err.message || 'bad request' }, err.status);
    if (err instanceof SyntaxError) return c.json({ detail: 'request body is not valid JSON' }, 400);
    ctx.log.error('api: unhandled error', err);
    return c.json({ detail: 'internal error' }, 500);
  });

  api.use(
    '/api/0/*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new ApiError(413, 'request body too large');
      },
    }),
  );
  api.use('/api/0/*', async (c, next) => {
    c.set('app', ctx);
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new ApiError(401, 'authentication credentials were not provided');
    const actor = await actorFromToken(ctx.db.orm, m[1]);
    if (!actor) throw new ApiError(401, 'invalid token');
    c.set('actor', actor);
    await next();
  });

  api.route('/api/0', organizationRoutes(ctx));
  api.route('/api/0', projectRoutes(ctx));
  api.route('/api/0', issueRoutes(ctx));
  api.route('/api/0', eventRoutes(ctx));
  api.all('/api/0/*', () => {
    throw new ApiError(404, 'no such API endpoint');
  });
  return api;
}
