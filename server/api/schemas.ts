// Request and response schemas of the web API: the routes validate with them and the OpenAPI document
// is generated from them (nothing hand-copied). Response shapes follow Sentry's web API.
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z.object({ detail: z.string(), code: z.string().optional() }).openapi('Error');

export const errorResponses = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'No or invalid credentials', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'Missing scope or role', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found (or not visible to you)', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const noContent = (description: string) => ({ description });

// ---------------------------------------------------------------- path parameters

const slug = (name: string, example: string) => z.string().min(1).max(100).openapi({ param: { name, in: 'path' }, example });
export const OrgParams = z.object({ org: slug('org', 'faultline') });
export const ProjectParams = z.object({ org: slug('org', 'faultline'), project: slug('project', 'my-service') });
export const TeamParams = z.object({ org: slug('org', 'faultline'), team: slug('team', 'faultline') });
const issueId = z.string().regex(/^\d+$/, 'an issue id').openapi({ param: { name: 'id', in: 'path' }, example: '42' });
export const IssueParams = z.object({ id: issueId });
export const OrgIssueParams = z.object({ org: slug('org', 'faultline'), id: issueId });

// ---------------------------------------------------------------- objects

export const OrganizationSchema = z
  .object({ id: z.string(), slug: z.string(), name: z.string(), dateCreated: z.string() })
  .loose()
  .openapi('Organization');

export const TeamSchema = z.object({ id: z.string(), slug: z.string(), name: z.string(), dateCreated: z.string() }).loose().openapi('Team');

export const ProjectSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    platform: z.string().nullable(),
    dateCreated: z.string(),
    teams: z.array(TeamSchema),
  })
  .loose()
  .openapi('Project');

export const ProjectKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    public: z.string(),
    secret: z.string(),
    projectId: z.number(),
    isActive: z.boolean(),
    dateCreated: z.string(),
    dsn: z.object({ public: z.string(), secret: z.string() }).loose(),
  })
  .loose()
  .openapi('ProjectKey');

const StatsSeries = z.array(z.tuple([z.number(), z.number()])).openapi({ description: '[unix seconds, events] per bucket, oldest first' });

export const IssueSchema = z
  .object({
    id: z.string(),
    shortId: z.string(),
    title: z.string(),
    culprit: z.string(),
    permalink: z.string(),
    level: z.string(),
    status: z.enum(['unresolved', 'resolved', 'ignored']),
    statusDetails: z.record(z.string(), z.unknown()),
    substatus: z.string().nullable(),
    platform: z.string().nullable(),
    project: z.object({ id: z.string(), slug: z.string(), name: z.string(), platform: z.string().nullable() }),
    type: z.string(),
    metadata: z.unknown(),
    count: z.string().openapi({ description: 'events seen (a string, as in Sentry)' }),
    userCount: z.number(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    stats: z.record(z.string(), StatsSeries).optional(),
  })
  .loose()
  .openapi('Issue');

export const EventSummarySchema = z
  .object({
    id: z.string(),
    eventID: z.string(),
    groupID: z.string(),
    projectID: z.string(),
    title: z.string(),
    message: z.string(),
    platform: z.string().nullable(),
    dateCreated: z.string(),
    dateReceived: z.string(),
    tags: z.array(z.object({ key: z.string(), value: z.string() })),
  })
  .loose()
  .openapi('EventSummary');

export const EventSchema = EventSummarySchema.extend({
  entries: z.array(z.object({ type: z.string(), data: z.unknown() })),
  contexts: z.record(z.string(), z.unknown()),
  fingerprints: z.array(z.string()),
  previousEventID: z.string().nullable(),
  nextEventID: z.string().nullable(),
})
  .loose()
  .openapi('Event');

export const TagSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    totalValues: z.number(),
    uniqueValues: z.number(),
    topValues: z.array(z.object({ key: z.string(), name: z.string(), value: z.string(), count: z.number(), firstSeen: z.string(), lastSeen: z.string() })),
  })
  .openapi('Tag');

export const GroupingInfoSchema = z
  .object({
    version: z.string().nullable(),
    hash: z.string().nullable(),
    hashes: z.array(z.string()),
    variant: z.string().nullable(),
    variants: z.record(z.string(), z.unknown()),
  })
  .openapi('GroupingInfo');

// ---------------------------------------------------------------- query strings

/** A parameter that may repeat (`?project=1&project=2`). */
export const repeated = (description: string) => z.union([z.string(), z.array(z.string())]).optional().openapi({ description });

export const IssueListQuery = z.object({
  query: z.string().max(2000).optional().openapi({ description: 'Search query; without it `is:unresolved` is implied, an empty one lists every status' }),
  sort: z.enum(['date', 'new', 'freq', 'user', 'priority']).optional(),
  project: repeated('Project ids (-1: all)'),
  environment: repeated('Environments'),
  statsPeriod: z.string().optional().openapi({ description: '24h, 14d or empty for no stats' }),
  groupStatsPeriod: z.string().optional(),
  limit: z.string().optional().openapi({ description: '1 to 100 (default 25)' }),
  cursor: z.string().optional(),
  id: repeated('Issue ids (bulk requests)'),
});

export const PageQuery = z.object({ limit: z.string().optional(), cursor: z.string().optional(), full: z.string().optional() });
