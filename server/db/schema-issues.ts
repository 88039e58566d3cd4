// The schema, issues and events: issues, their hashes, events, tag and user counts, hourly stats, activities.
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tz, createdAt } from './schema-columns.ts';
import { projects, users } from './schema-people.ts';

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
