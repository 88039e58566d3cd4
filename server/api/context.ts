// Helpers for API handlers; access checks themselves live in access.ts.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Context } from 'hono';
import { seesAllProjects, type Membership } from '../auth/access.ts';
import type { Orm } from '../db/client.ts';
import { projects, projectTeams } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import type { ApiEnv, ProjectRow } from './access.ts';

export type ApiContext = Context<ApiEnv>;

/** The projects a member sees, optionally narrowed to requested ids (an id they cannot see: 403, as Sentry). */
export async function visibleProjects(orm: Orm, m: Membership, requested?: number[]): Promise<ProjectRow[]> {
  let rows: ProjectRow[];
  if (seesAllProjects(m)) {
    rows = await orm.select().from(projects).where(eq(projects.organizationId, m.organizationId)).orderBy(asc(projects.slug));
  } else if (m.teamIds.length === 0) {
    rows = [];
  } else {
    rows = await orm
      .selectDistinct({ p: projects })
      .from(projects)
      .innerJoin(projectTeams, eq(projectTeams.projectId, projects.id))
      .where(and(eq(projects.organizationId, m.organizationId), inArray(projectTeams.teamId, m.teamIds)))
      .orderBy(asc(projects.slug))
      .then((r) => r.map((x) => x.p));
  }
  if (requested && requested.length > 0) {
    const want = new Set(requested);
    const out = rows.filter((p) => want.has(p.id));
    if (out.length !== want.size) throw new ApiError(403, 'you do not have access to one of the requested projects');
    return out;
  }
  return rows;
}

/** Integer query parameter with bounds, or a 400 naming it. */
export function intParam(c: ApiContext, name: string, dflt: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ApiError(400, `${name} must be an integer from ${min} to ${max}`);
  return n;
}
