// The web API (`/api/0/...`), shaped like Sentry's and described by an OpenAPI document generated from
// the same zod schemas the routes validate with (GET /api/0/openapi.json, reference page at /api/docs).
// Authentication: `Authorization: Bearer <token>` (or the UI's session, see auth/). Access rules per
// route: access.ts.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppContext } from '../app.ts';
import { ApiError, databaseAwayResponse } from '../errors.ts';
import { REGISTRY, type ApiEnv } from './access.ts';
import { activityRoutes } from './activity.ts';
import { authentication, authRoutes } from './auth.ts';
import { eventRoutes } from './events.ts';
import { logRoutes } from './logs.ts';
import { issueBulkRoutes } from './issue-bulk.ts';
import { issueDetailRoutes } from './issue-detail.ts';
import { issueStatsRoutes } from './issue-stats.ts';
import { issueRoutes } from './issues.ts';
import { keyRoutes } from './keys.ts';
import { memberRoutes } from './members.ts';
import { organizationRoutes } from './organizations.ts';
import { projectRoutes } from './projects.ts';
import { teamRoutes } from './teams.ts';
import { tokenRoutes } from './tokens.ts';

export const OPENAPI_PATH = '/api/0/openapi.json';
REGISTRY.push({ method: 'GET', path: OPENAPI_PATH, access: { kind: 'public' } });

/** The reference page's script, served by us (no CDN: installs may have no internet). */
let scalarScript: string | null = null;
function scalarBundle(): string {
  scalarScript ??= readFileSync(createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js'), 'utf8');
  return scalarScript;
}

export function apiRoutes(ctx: AppContext): OpenAPIHono<ApiEnv> {
  const api = new OpenAPIHono<ApiEnv>({
    // A request that fails its schema: 400 naming the first bad field, as the rest of the API does.
    defaultHook: (result, c) => {
      if (result.success) return;
      const first = result.error.issues[0];
      const where = first.path.length > 0 ? first.path.join('.') : result.target;
      return c.json({ detail: `${where}: ${first.message}`, code: 'invalid_request' }, 400);
    },
  });

  api.onError((err, c) => {
    if (err instanceof ApiError) return c.json({ detail: err.message, code: err.code }, err.status);
    if (err instanceof HTTPException) return c.json({ detail: err.message || 'bad request' }, err.status);
    if (err instanceof SyntaxError) return c.json({ detail: 'request body is not valid JSON' }, 400);
    const away = databaseAwayResponse(err, `api: ${c.req.method} ${c.req.path}`, ctx.log);
    if (away) return away;
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

  // Who is calling: set `actor` from a bearer token or the session cookie (with its CSRF check), see
  // auth.ts. Rules in access.ts decide what each route needs; a bearer token that is present but wrong
  // is a 401 everywhere.
  api.use('/api/0/*', authentication(ctx));

  api.route('/', organizationRoutes());
  api.route('/', projectRoutes());
  api.route('/', issueRoutes());
  api.route('/', issueBulkRoutes());
  api.route('/', issueDetailRoutes());
  api.route('/', issueStatsRoutes());
  api.route('/', eventRoutes());
  api.route('/', logRoutes());
  api.route('/', activityRoutes());
  api.route('/', authRoutes());
  api.route('/', memberRoutes());
  api.route('/', teamRoutes());
  api.route('/', tokenRoutes());
  api.route('/', keyRoutes());

  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API token' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'faultline_session' });
  api.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'Faultline API',
      version: '0',
      description:
        'The web API of Faultline, shaped like Sentry\'s. Lists are paginated with a Link header (rel="previous"/"next", results="true|false", cursor="..."). Trailing slashes are optional.',
    },
    servers: [{ url: ctx.config.publicUrl }],
  });
  api.get('/api/docs/scalar.js', (c) => c.body(scalarBundle(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }));
  api.get('/api/docs', Scalar({ url: `${ctx.config.publicUrl}${OPENAPI_PATH}`, cdn: `${ctx.config.publicUrl}/api/docs/scalar.js`, pageTitle: 'Faultline API' }));

  api.all('/api/0/*', () => {
    throw new ApiError(404, 'no such API endpoint');
  });
  return api;
}
