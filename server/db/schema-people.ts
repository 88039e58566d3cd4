// The schema, people and access: organizations, users, members, teams, projects, keys, tokens, sessions.
import { boolean, index, integer, jsonb, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tz, createdAt } from './schema-columns.ts';


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
