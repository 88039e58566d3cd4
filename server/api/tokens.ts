// The signed-in user's API tokens (Sentry's /api-tokens/): created with a name and scopes, shown once
// (only a SHA-256 digest is stored), listed with their last four characters, revoked by id.
// A new token never gets scopes its creator lacks (a session has its role's scopes, a token its own).
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { createApiToken, deleteApiToken, listApiTokens, serializeApiToken, validateScopes } from '../auth/api-tokens.ts';
import { ALL_SCOPES } from '../auth/tokens.ts';
import { ApiError } from '../errors.ts';
import { route, type ApiEnv } from './access.ts';
import { errorResponses, json, noContent } from './schemas.ts';

const tags = ['API tokens'];

const ApiTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    tokenLastCharacters: z.string(),
    dateCreated: z.string(),
    lastUsedAt: z.string().nullable().openapi({ description: 'Updated at most once a minute' }),
    expiresAt: z.string().nullable(),
  })
  .openapi('ApiToken');

const CreateBody = z.object({
  name: z.string().trim().max(100).optional(),
  scopes: z.array(z.enum(ALL_SCOPES)).min(1).max(ALL_SCOPES.length),
  expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When the token stops working (default: never)' }),
});
const TokenParams = z.object({ tokenId: z.string().regex(/^\d{1,10}$/, 'a token id').openapi({ param: { name: 'tokenId', in: 'path' }, example: '1' }) });

const listRoute = route({ kind: 'user' }, {
  method: 'get',
  path: '/api/0/api-tokens',
  tags,
  summary: 'Your API tokens (never the tokens themselves)',
  responses: { 200: json(z.array(ApiTokenSchema), 'Tokens'), ...errorResponses },
});
const createTokenRoute = route({ kind: 'user' }, {
  method: 'post',
  path: '/api/0/api-tokens',
  tags,
  summary: 'Create an API token {name?, scopes, expiresAt?}; the answer carries the token, shown this once',
  request: { body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
  responses: { 201: json(ApiTokenSchema.extend({ token: z.string() }), 'The new token'), ...errorResponses },
});
const deleteRoute = route({ kind: 'user' }, {
  method: 'delete',
  path: '/api/0/api-tokens/{tokenId}',
  tags,
  summary: 'Revoke one of your API tokens',
  request: { params: TokenParams },
  responses: { 204: noContent('Revoked'), ...errorResponses },
});

export function tokenRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();

  r.openapi(listRoute, async (c) => c.json((await listApiTokens(c.get('app').db.orm, c.get('actor')!.userId)).map((t) => serializeApiToken(t)), 200));

  r.openapi(createTokenRoute, async (c) => {
    const actor = c.get('actor')!;
    const input = c.req.valid('json');
    const scopes = validateScopes(input.scopes, actor.scopes);
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new ApiError(400, 'expiresAt: must be in the future');
    const { row, token } = await createApiToken(c.get('app').db.orm, { userId: actor.userId, name: input.name ?? '', scopes, expiresAt });
    c.header('Cache-Control', 'no-store');
    return c.json({ ...serializeApiToken(row, token), token }, 201);
  });

  r.openapi(deleteRoute, async (c) => {
    const { tokenId } = c.req.valid('param');
    if (!(await deleteApiToken(c.get('app').db.orm, c.get('actor')!.userId, Number(tokenId)))) throw new ApiError(404, 'token not found');
    return c.body(null, 204);
  });

  return r;
}
