// Organizations, teams and projects: reads and the one write (create a project with its first key).
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database, Orm } from '../db/client.ts';
import { organizations, projectKeys, projects, projectTeams, teams } from '../db/schema.ts';
import { newDsnKey } from '../auth/tokens.ts';

export type OrganizationRow = typeof organizations.$inferSelect;
export type ProjectRow = typeof projects.$inferSelect;
export type TeamRow = typeof teams.$inferSelect;

export function serializeOrganization(org: OrganizationRow) {
  return {
    id: String(org.id),
    slug: org.slug,
    name: org.name,
    dateCreated: org.createdAt.toISOString(),
    status: { id: 'active', name: 'active' },
    isEarlyAdopter: false,
    require2FA: false,
    features: [],
  };
}

export function serializeTeam(team: TeamRow) {
  return { id: String(team.id), slug: team.slug, name: team.name, dateCreated: team.createdAt.toISOString() };
}

export function serializeProject(p: ProjectRow, org: OrganizationRow | null, projectTeamRows: TeamRow[]) {
  return {
    id: String(p.id),
    slug: p.slug,
    name: p.name,
    platform: p.platform,
    dateCreated: p.createdAt.toISOString(),
    status: 'active',
    isMember: true,
    hasAccess: true,
    teams: projectTeamRows.map(serializeTeam),
    ...(org ? { organization: serializeOrganization(org) } : {}),
  };
}

export async function listOrganizationsForUser(orm: Orm, orgIds: number[]): Promise<OrganizationRow[]> {
  if (orgIds.length === 0) return [];
  return orm.select().from(organizations).where(inArray(organizations.id, orgIds)).orderBy(asc(organizations.slug));
}

export async function getOrganization(orm: Orm, id: number): Promise<OrganizationRow> {
  const [org] = await orm.select().from(organizations).where(eq(organizations.id, id)).limit(1);
  return org;
}

export async function teamsOfProjects(orm: Orm, projectIds: number[]): Promise<Map<number, TeamRow[]>> {
  const out = new Map<number, TeamRow[]>();
  if (projectIds.length === 0) return out;
  const rows = await orm
    .select({ projectId: projectTeams.projectId, team: teams })
    .from(projectTeams)
    .innerJoin(teams, eq(teams.id, projectTeams.teamId))
    .where(inArray(projectTeams.projectId, projectIds));
  for (const r of rows) out.set(r.projectId, [...(out.get(r.projectId) ?? []), r.team]);
  return out;
}

export async function listTeams(orm: Orm, organizationId: number): Promise<TeamRow[]> {
  return orm.select().from(teams).where(eq(teams.organizationId, organizationId)).orderBy(asc(teams.slug));
}

export async function getTeam(orm: Orm, organizationId: number, slug: string): Promise<TeamRow | undefined> {
  const [team] = await orm.select().from(teams).where(and(eq(teams.organizationId, organizationId), eq(teams.slug, slug))).limit(1);
  return team;
}

export async function projectSlugTaken(orm: Orm, organizationId: number, slug: string): Promise<boolean> {
  const rows = await orm.select({ id: projects.id }).from(projects).where(and(eq(projects.organizationId, organizationId), eq(projects.slug, slug))).limit(1);
  return rows.length > 0;
}

/** Creates a project owned by a team, with one active DSN key. */
export async function createProject(db: Database, input: { organizationId: number; teamId: number; name: string; slug: string; platform: string | null }): Promise<ProjectRow> {
  return db.begin(async (tx) => {
    const [project] = await tx.orm
      .insert(projects)
      .values({ organizationId: input.organizationId, name: input.name, slug: input.slug, platform: input.platform })
      .returning();
    await tx.orm.insert(projectTeams).values({ projectId: project.id, teamId: input.teamId });
    await tx.orm.insert(projectKeys).values({ projectId: project.id, publicKey: newDsnKey(), secretKey: newDsnKey() });
    return project;
  });
}
