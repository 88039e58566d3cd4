// A project's DSN keys (Sentry's /projects/{org}/{project}/keys/ API; a key's id is its public key).
// Several keys per project; each can be renamed, disabled, rate limited ({count, window}: at most
// count events per window seconds, enforced at ingest, see ingest/rate-limit.ts) or revoked (deleted).
// Changes take effect at once on this process (its key cache is invalidated) and within the key
// cache's lifetime (ingest/keys.ts, 10 s) on every other.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { newDsnKey } from '../auth/tokens.ts';
import { projectKeys } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { MAX_RATE_WINDOW_SECONDS } from '../ingest/rate-limit.ts';
import { getProjectKey, listProjectKeys, serializeKey, type KeyRow } from '../queries/keys.ts';
import { ADMIN_ROLES, route, type ApiEnv } from './access.ts';
import { errorResponses, json, noContent, ProjectKeySchema, ProjectParams } from './schemas.ts';

const tags = ['Projects'];

const RateLimit = z
  .object({
    count: z.number().int().min(0).max(1_000_000_000).openapi({ description: 'Events per window (0: refuse every event)' }),
    window: z.number().int().min(1).max(MAX_RATE_WINDOW_SECONDS).openapi({ description: 'Window in seconds (at most a day)' }),
  })
  .nullable()
  .openapi({ description: 'null: no limit' });

const CreateKeyBody = z.object({ name: z.string().trim().min(1).max(64).optional(), rateLimit: RateLimit.optional() });
const UpdateKeyBody = z.object({ name: z.string().trim().min(1).max(64).optional(), isActive: z.boolean().optional(), rateLimit: RateLimit.optional() });
const KeyParams = ProjectParams.extend({
  keyId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a key id (its public key)').openapi({ param: { name: 'keyId', in: 'path' }, example: '1c8d0b6e3f6a4c1e9f2a7d5b8e4c3a21' }),
});
const KeySchema = ProjectKeySchema.extend({ rateLimit: z.object({ count: z.number(), window: z.number() }).nullable() });

const listKeysRoute = route({ kind: 'project', scope: 'project:read' }, {
  method: 'get',
  path: '/api/0/projects/{org}/{project}/keys',
  tags,
  summary: "A project's DSN keys, each with dsn.public",
  request: { params: ProjectParams },
  responses: { 200: json(z.array(KeySchema), 'Keys'), ...errorResponses },
});
const createKeyRoute = route({ kind: 'project', scope: 'project:write', roles: ADMIN_ROLES }, {
  method: 'post',
  path: '/api/0/projects/{org}/{project}/keys',
  tags,
  summary: 'Create a DSN key {name?, rateLimit?}',
  request: { params: ProjectParams, body: { content: { 'application/json': { schema: CreateKeyBody } }, required: false } },
  responses: { 201: json(KeySchema, 'The new key'), ...errorResponses },
});
const getKeyRoute = route({ kind: 'project', scope: 'project:read' }, {
  method: 'get',
  path: '/api/0/projects/{org}/{project}/keys/{keyId}',
  tags,
  summary: 'One DSN key',
  request: { params: KeyParams },
  responses: { 200: json(KeySchema, 'The key'), ...errorResponses },
});
const updateKeyRoute = route({ kind: 'project', scope: 'project:write', roles: ADMIN_ROLES }, {
  method: 'put',
  path: '/api/0/projects/{org}/{project}/keys/{keyId}',
  tags,
  summary: 'Rename, enable or disable a key, or set its rate limit {name?, isActive?, rateLimit?: {count, window} | null}',
  request: { params: KeyParams, body: { content: { 'application/json': { schema: UpdateKeyBody } }, required: true } },
  responses: { 200: json(KeySchema, 'The key'), ...errorResponses },
});
const deleteKeyRoute = route({ kind: 'project', scope: 'project:admin', roles: ADMIN_ROLES }, {
  method: 'delete',
  path: '/api/0/projects/{org}/{project}/keys/{keyId}',
  tags,
  summary: 'Revoke (delete) a key; SDKs using it get 403',
  request: { params: KeyParams },
  responses: { 204: noContent('Revoked'), ...errorResponses },
});

function serialize(k: KeyRow, publicUrl: string) {
  return { ...serializeKey(k, publicUrl), rateLimit: k.rateLimitCount !== null && k.rateLimitWindow ? { count: k.rateLimitCount, window: k.rateLimitWindow } : null };
}

async function keyOf(c: Context<ApiEnv>): Promise<KeyRow> {
  const key = await getProjectKey(c.get('app').db.orm, c.get('project').id, c.req.param('keyId') ?? '');
  if (!key) throw notFound('key');
  return key;
}

const rateLimitColumns = (r: z.infer<typeof RateLimit> | undefined) =>
  r === undefined ? {} : { rateLimitCount: r?.count ?? null, rateLimitWindow: r?.window ?? null };

export function keyRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  r.openapi(listKeysRoute, async (c) => {
    const { db, config } = c.get('app');
    return c.json((await listProjectKeys(db.orm, c.get('project').id)).map((k) => serialize(k, config.publicUrl)), 200);
  });

  r.openapi(createKeyRoute, async (c) => {
    const { db, config } = c.get('app');
    const input = (c.req.valid('json') as z.infer<typeof CreateKeyBody> | undefined) ?? {};
    const [key] = await db.orm
      .insert(projectKeys)
      .values({ projectId: c.get('project').id, label: input.name ?? 'Default', publicKey: newDsnKey(), secretKey: newDsnKey(), ...rateLimitColumns(input.rateLimit) })
      .returning();
    return c.json(serialize(key, config.publicUrl), 201);
  });

  r.openapi(getKeyRoute, async (c) => c.json(serialize(await keyOf(c), c.get('app').config.publicUrl), 200));

  r.openapi(updateKeyRoute, async (c) => {
    const { db, config, keys } = c.get('app');
    const key = await keyOf(c);
    const input = c.req.valid('json');
    const changes = { ...(input.name !== undefined ? { label: input.name } : {}), ...(input.isActive !== undefined ? { isActive: input.isActive } : {}), ...rateLimitColumns(input.rateLimit) };
    if (Object.keys(changes).length === 0) throw new ApiError(400, 'nothing to change: send name, isActive or rateLimit');
    const [updated] = await db.orm.update(projectKeys).set(changes).where(and(eq(projectKeys.id, key.id), eq(projectKeys.projectId, key.projectId))).returning();
    keys?.invalidate(key.publicKey);
    return c.json(serialize(updated, config.publicUrl), 200);
  });

  r.openapi(deleteKeyRoute, async (c) => {
    const { db, keys } = c.get('app');
    const key = await keyOf(c);
    await db.orm.delete(projectKeys).where(eq(projectKeys.id, key.id));
    keys?.invalidate(key.publicKey);
    return c.body(null, 204);
  });

  return r;
}
