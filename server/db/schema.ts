// The one schema, for PGlite and Postgres alike (architecture: "Storage").
// Migrations are generated from this file by drizzle-kit into drizzle/ and never edited once landed.
// Only SQL that Postgres 15 and PGlite (Postgres 18) both run.
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => tz('created_at').notNull().defaultNow();

// ---------------------------------------------------------------- people and access

export const organizations = pgTable('organizations', {
  id: serial('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  passwordHash: text('password_hash'),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: createdAt(),
});

export const organizationMembers = pgTable(
  'organization_members',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull().default('member'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('organization_members_org_user').on(t.organizationId, t.userId)],
);

export const teams = pgTable(
  'teams',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('teams_org_slug').on(t.organizationId, t.slug)],
);

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    memberId: integer('member_id')
      .notNull()
      .references(() => organizationMembers.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.memberId] })],
);

export const projects = pgTable(
  'projects',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    platform: text('platform'),
    /** Last short id handed out to an issue of this project (PROJECT-1, PROJECT-2, ...). */
    issueCounter: integer('issue_counter').notNull().default(0),
    /** Resolve issues after this many hours without events (null: never). */
    resolveAgeHours: integer('resolve_age_hours'),
    /** Log records older than this many days are dropped (whole daily partitions where possible). */
    logRetentionDays: integer('log_retention_days').notNull().default(30),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('projects_org_slug').on(t.organizationId, t.slug)],
);

export const projectTeams = pgTable(
  'project_teams',
  {
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    teamId: integer('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.teamId] })],
);

/** DSN keys. `publicKey` is what SDKs send as sentry_key. */
export const projectKeys = pgTable('project_keys', {
  id: serial('id').primaryKey(),
  projectId: integer('project_id')
    .notNull()
    .references(() => projects.id, { onDelete: 'cascade' }),
  label: text('label').notNull().default('Default'),
  publicKey: text('public_key').notNull().unique(),
  secretKey: text('secret_key').notNull(),
  isActive: boolean('is_active').notNull().default(true),
  /** At most this many events per rateLimitWindow seconds through this key (null: no limit). */
  rateLimitCount: integer('rate_limit_count'),
  rateLimitWindow: integer('rate_limit_window'),
  createdAt: createdAt(),
});

/** API tokens: only a SHA-256 of the token is stored; the token is shown once. */
export const apiTokens = pgTable('api_tokens', {
  id: serial('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull().default(''),
  tokenHash: text('token_hash').notNull().unique(),
  tokenLastCharacters: text('token_last_characters').notNull(),
  scopes: jsonb('scopes').$type<string[]>().notNull(),
  lastUsedAt: tz('last_used_at'),
  expiresAt: tz('expires_at'),
  createdAt: createdAt(),
});

/** Browser sessions: the cookie carries a random token; only its SHA-256 is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    /** Sent back in a header by the UI on every state-changing request (CSRF defence). */
    csrfToken: text('csrf_token').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    expiresAt: tz('expires_at').notNull(),
    lastSeenAt: tz('last_seen_at').notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Failed sign-in attempts per key (email, client address) and window, for rate limiting across processes. */
export const loginAttempts = pgTable(
  'login_attempts',
  {
    key: text('key').notNull(),
    windowStart: tz('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

// ---------------------------------------------------------------- ingest queue

/**
 * The durable queue between ingest and digest (architecture: "The path of one event").
 * A row exists from the moment ingest answered 2xx until the digest transaction that stored it commits.
 */
export const ingestQueue = pgTable('ingest_queue', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  projectId: integer('project_id').notNull(),
  kind: text('kind').notNull(),
  receivedAt: tz('received_at').notNull().defaultNow(),
  /** For events: the payload is in event_payloads under (project_id, event_id). */
  eventId: uuid('event_id'),
  /** The item payload exactly as accepted (JSON text), for items whose payload is not stored elsewhere. */
  payload: text('payload'),
  /** Envelope-level facts the digest needs: event id, sent_at, client ip, sdk. JSON text. */
  meta: text('meta').notNull(),
  attempts: integer('attempts').notNull().default(0),
}, (t) => [
  // The log digest loops claim log containers only (pipeline/worker.ts).
  index('ingest_queue_logs').on(t.id).where(sql`${t.kind} = 'log'`),
]);

/**
 * Every accepted event's payload exactly as it arrived, written once, by ingest, in the same statement
 * as its queue row. The digest stores only what it derives (events, issues, counters); reading an
 * event normalizes this payload again with the same inputs (prepare.ts), which is deterministic.
 * Writing the 5 KB body once instead of twice was the largest saving in the digest (see README).
 */
export const eventPayloads = pgTable(
  'event_payloads',
  {
    projectId: integer('project_id').notNull(),
    eventId: uuid('event_id').notNull(),
    receivedAt: tz('received_at').notNull(),
    /** Same as the queue row's meta. */
    meta: text('meta').notNull(),
    payload: text('payload').notNull(),
  },
  (t) => [primaryKey({ name: 'event_payloads_pkey', columns: [t.projectId, t.eventId] })],
);

/** Items the digest could not process after retries; kept for inspection, never silently lost. */
export const ingestFailed = pgTable('ingest_failed', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  projectId: integer('project_id').notNull(),
  kind: text('kind').notNull(),
  receivedAt: tz('received_at').notNull(),
  payload: text('payload'),
  meta: text('meta').notNull(),
  error: text('error').notNull(),
  failedAt: tz('failed_at').notNull().defaultNow(),
});

// ---------------------------------------------------------------- issues and events
// The tables an issue owns (events, hashes, tags, users, stats, activities) carry its id without a
// foreign key: the digest writes thousands of their rows per batch and a per-row key check was a
// measurable share of it. Deleting an issue deletes them explicitly (queries/issue-status.ts).

export const issues = pgTable(
  'issues',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    shortId: integer('short_id').notNull(),
    /** The hash that created the issue; more hashes may point here through issue_hashes (merges). */
    primaryHash: text('primary_hash').notNull(),
    groupingVersion: text('grouping_version').notNull(),
    type: text('type').notNull(),
    title: text('title').notNull(),
    culprit: text('culprit').notNull().default(''),
    message: text('message').notNull().default(''),
    level: text('level').notNull(),
    platform: text('platform'),
    metadata: jsonb('metadata').notNull(),
    status: text('status', { enum: ['unresolved', 'resolved', 'ignored'] }).notNull().default('unresolved'),
    substatus: text('substatus').default('new'),
    /** Status details, e.g. {inRelease}, {ignoreUntil}. */
    statusDetails: jsonb('status_details').notNull().default({}),
    resolvedAt: tz('resolved_at'),
    firstSeen: tz('first_seen').notNull(),
    lastSeen: tz('last_seen').notNull(),
    timesSeen: bigint('times_seen', { mode: 'number' }).notNull().default(0),
    userCount: integer('user_count').notNull().default(0),
    firstRelease: text('first_release'),
    /** Assigned to a user or a team of the organization (at most one of them). */
    assigneeUserId: integer('assignee_user_id'),
    assigneeTeamId: integer('assignee_team_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('issues_project_hash').on(t.projectId, t.primaryHash),
    uniqueIndex('issues_project_short_id').on(t.projectId, t.shortId),
    index('issues_project_last_seen').on(t.projectId, t.lastSeen.desc(), t.id.desc()),
    index('issues_project_first_seen').on(t.projectId, t.firstSeen.desc(), t.id.desc()),
    index('issues_project_times_seen').on(t.projectId, t.timesSeen.desc(), t.id.desc()),
  ],
);

/**
 * Every grouping hash that leads to an issue, with the grouping components that make it: events with
 * the same hash share the same contributing components, so they are stored once per hash ("why
 * grouped"), and each event keeps only which hashes and variant it had.
 */
export const issueHashes = pgTable(
  'issue_hashes',
  {
    projectId: integer('project_id').notNull(),
    hash: text('hash').notNull(),
    issueId: bigint('issue_id', { mode: 'number' }).notNull(),
    groupingVersion: text('grouping_version').notNull(),
    /** {variant, variants} of the first event that had this hash (see pipeline/grouping/types.ts). */
    components: jsonb('components'),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.hash] }), index('issue_hashes_issue').on(t.issueId)],
);

export const events = pgTable(
  'events',
  {
    projectId: integer('project_id').notNull(),
    eventId: uuid('event_id').notNull(),
    issueId: bigint('issue_id', { mode: 'number' }).notNull(),
    timestamp: tz('timestamp').notNull(),
    received: tz('received').notNull(),
    level: text('level').notNull(),
    platform: text('platform'),
    environment: text('environment'),
    release: text('release'),
    title: text('title').notNull(),
    message: text('message').notNull().default(''),
    userKey: text('user_key'),
    // The JSON columns below are text: Postgres parses jsonb on every insert, which was a quarter of the
    // cost of storing an event (measured); queries that look inside cast them.
    /** JSON {id, email, username, ip_address} of the event's user, for user.* search. */
    userInfo: text('user_info'),
    /** JSON [[key, value], ...] */
    tags: text('tags').notNull(),

    /** JSON {version, hash, hashes, variant}: the hashes this event had; their components are in issue_hashes. */
    grouping: text('grouping').notNull(),
  },
  (t) => [
    primaryKey({ name: 'events_pkey', columns: [t.projectId, t.eventId] }),
    index('events_issue_timestamp').on(t.issueId, t.timestamp.desc(), t.eventId.desc()),
  ],
);

export const issueTags = pgTable(
  'issue_tags',
  {
    issueId: bigint('issue_id', { mode: 'number' }).notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    timesSeen: bigint('times_seen', { mode: 'number' }).notNull(),
    firstSeen: tz('first_seen').notNull(),
    lastSeen: tz('last_seen').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.issueId, t.key, t.value] }),
    // Tag filters of the issue list (`region:eu-west-1`): the issue ids of a key and value from the index
    // alone (index-only scan), or one probe per issue while walking the list's order. Replaces (key, value),
    // which had to visit a heap row per match to learn its issue id. Migration 0008 also creates
    // extended statistics on (key, value): values are specific to their key, and without them the
    // planner multiplied the two selectivities and took `environment:production` for a rare filter.
    index('issue_tags_key_value_issue').on(t.key, t.value, t.issueId),
  ],
);

/** Distinct users per issue (by user identity, see eventtype.userKey). */
export const issueUsers = pgTable(
  'issue_users',
  {
    issueId: bigint('issue_id', { mode: 'number' }).notNull(),
    userKey: text('user_key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.userKey] })],
);

/** Events per issue per hour, for sparklines and "events over time". */
export const issueStats = pgTable(
  'issue_stats',
  {
    issueId: bigint('issue_id', { mode: 'number' }).notNull(),
    bucket: tz('bucket').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.bucket] })],
);

export const activities = pgTable(
  'activities',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    issueId: bigint('issue_id', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    data: jsonb('data').notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('activities_issue').on(t.issueId, t.createdAt)],
);

// ---------------------------------------------------------------- logs
// log_records itself is a table partitioned by day, which drizzle-kit cannot describe: it is created by
// a hand-written migration (drizzle/0010_log_records.sql) and queried with SQL (server/logs/*).

/** A log pattern: similar log lines grouped, like errors into issues (server/logs/patterns). */
export const logPatterns = pgTable(
  'log_patterns',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** How the pattern was made: 'template' (sentry.message.template) or the miner's version. */
    version: text('version').notNull(),
    /** Identity within (project, version): the template itself, or the miner's cluster key. */
    clusterKey: text('cluster_key').notNull(),
    /** The pattern as shown: the template, with <*> where lines vary. */
    template: text('template').notNull(),
    /** One real line. */
    sample: text('sample').notNull(),
    firstSeen: tz('first_seen').notNull(),
    lastSeen: tz('last_seen').notNull(),
    count: bigint('count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [uniqueIndex('log_patterns_identity').on(t.projectId, t.version, t.clusterKey), index('log_patterns_project_last_seen').on(t.projectId, t.lastSeen)],
);

/** Records per pattern, hour and level: pattern lists, sparklines and the volume histogram. */
export const logPatternStats = pgTable(
  'log_pattern_stats',
  {
    patternId: bigint('pattern_id', { mode: 'number' }).notNull(),
    bucket: tz('bucket').notNull(),
    level: text('level').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.patternId, t.bucket, t.level] }), index('log_pattern_stats_bucket').on(t.bucket)],
);
