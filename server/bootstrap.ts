// First start on an empty database: an organization, a team, a project with a DSN key, an admin user
// (owner) and an API token. Later starts create nothing (except a FAULTLINE_ADMIN_TOKEN not yet stored)
// and report the DSN again. Architecture: "Configuration".
import { and, asc, eq } from 'drizzle-orm';
import type { Config } from './config.ts';
import type { Database, Orm } from './db/client.ts';
import {
  apiTokens,
  organizationMembers,
  organizations,
  projectKeys,
  projects,
  projectTeams,
  teamMembers,
  teams,
  users,
} from './db/schema.ts';
import { hashPassword } from './auth/passwords.ts';
import { ALL_SCOPES, hashToken, newApiToken, newDsnKey, newPassword } from './auth/tokens.ts';
import { dsnFor } from './queries/keys.ts';

export interface BootstrapResult {
  created: boolean;
  organizationSlug: string;
  projectSlug: string;
  projectId: number;
  dsn: string;
  adminEmail: string;
  /** Only when it was generated or set now; a later start cannot know it. */
  adminPassword: string | null;
  /** Only when created now. */
  apiToken: string | null;
}

export function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return s || 'default';
}

type AdminConfig = Config['admin'];

export async function bootstrap(db: Database, admin: AdminConfig, publicUrl: string): Promise<BootstrapResult> {
  return db.begin(async (tx) => {
    // Serialize concurrent first starts (several processes against one Postgres).
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7243911002)');
    const existing = await tx.orm.select().from(organizations).orderBy(asc(organizations.id)).limit(1);
    if (existing.length > 0) return reportExisting(tx.orm, existing[0], admin, publicUrl);

    const [org] = await tx.orm.insert(organizations).values({ slug: slugify(admin.orgName), name: admin.orgName }).returning();
    const [team] = await tx.orm.insert(teams).values({ organizationId: org.id, slug: slugify(admin.orgName), name: admin.orgName }).returning();
    const password = admin.password ?? newPassword();
    const [user] = await tx.orm
      .insert(users)
      .values({ email: admin.email, name: 'Admin', passwordHash: await hashPassword(password) })
      .returning();
    const [member] = await tx.orm.insert(organizationMembers).values({ organizationId: org.id, userId: user.id, role: 'owner' }).returning();
    await tx.orm.insert(teamMembers).values({ teamId: team.id, memberId: member.id });
    const [project] = await tx.orm
      .insert(projects)
      .values({ organizationId: org.id, slug: slugify(admin.projectName), name: admin.projectName })
      .returning();
    await tx.orm.insert(projectTeams).values({ projectId: project.id, teamId: team.id });
    const [key] = await tx.orm.insert(projectKeys).values({ projectId: project.id, publicKey: newDsnKey(), secretKey: newDsnKey() }).returning();
    const token = admin.token ?? newApiToken();
    await tx.orm.insert(apiTokens).values({
      userId: user.id,
      name: 'Created at first start',
      tokenHash: hashToken(token),
      tokenLastCharacters: token.slice(-4),
      scopes: [...ALL_SCOPES],
    });
    return {
      created: true,
      organizationSlug: org.slug,
      projectSlug: project.slug,
      projectId: project.id,
      dsn: dsnFor(publicUrl, key.publicKey, project.id),
      adminEmail: user.email,
      adminPassword: password,
      apiToken: token,
    };
  });
}

async function reportExisting(orm: Orm, org: typeof organizations.$inferSelect, admin: AdminConfig, publicUrl: string): Promise<BootstrapResult> {
  const [project] = await orm.select().from(projects).where(eq(projects.organizationId, org.id)).orderBy(asc(projects.id)).limit(1);
  const [key] = project
    ? await orm
        .select()
        .from(projectKeys)
        .where(and(eq(projectKeys.projectId, project.id), eq(projectKeys.isActive, true)))
        .orderBy(asc(projectKeys.id))
        .limit(1)
    : [];
  let apiToken: string | null = null;
  // A token given in the environment works from the next start on, even if it was set later.
  if (admin.token) {
    const [user] = await orm.select().from(users).where(eq(users.email, admin.email)).limit(1);
    const [found] = await orm.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(admin.token))).limit(1);
    if (user && !found) {
      await orm.insert(apiTokens).values({
        userId: user.id,
        name: 'FAULTLINE_ADMIN_TOKEN',
        tokenHash: hashToken(admin.token),
        tokenLastCharacters: admin.token.slice(-4),
        scopes: [...ALL_SCOPES],
      });
      apiToken = admin.token;
    }
  }
  return {
    created: false,
    organizationSlug: org.slug,
    projectSlug: project?.slug ?? '',
    projectId: project?.id ?? 0,
    dsn: project && key ? dsnFor(publicUrl, key.publicKey, project.id) : '',
    adminEmail: admin.email,
    adminPassword: null,
    apiToken,
  };
}
