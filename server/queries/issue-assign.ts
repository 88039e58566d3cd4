// Assigning issues to a member or a team of their organization (issues.assignee_user_id /
// assignee_team_id, at most one set), like Sentry's `assignedTo`.
import type { Database, Queryable } from '../db/client.ts';
import { canViewProject, membershipFor } from '../auth/access.ts';
import { ApiError } from '../errors.ts';
import { addActivities, lockIssueRows } from './issue-status.ts';

export type Assignee = { type: 'user'; id: number } | { type: 'team'; id: number };

/** Sentry's serialized assignee: `{type: "user", id, name, email}` or `{type: "team", id, name: slug}`. */
export interface AssignedTo {
  type: 'user' | 'team';
  id: string;
  name: string;
  email?: string;
}

/**
 * The assignee `assignedTo` names, within the organization: `user:<id>`, `team:<id>`, `#team-slug`,
 * an email, or a bare user id. Anything that names no member or team of it is a 400.
 */
export async function resolveAssignee(db: Queryable, organizationId: number, raw: string): Promise<Assignee> {
  const value = raw.trim();
  const fail = () => new ApiError(400, `assignedTo: "${value.slice(0, 100)}" is not a member or team of this organization`);
  let m: RegExpExecArray | null;
  if ((m = /^team:(\d{1,10})$/.exec(value)) || value.startsWith('#')) {
    const rows = m
      ? await db.query<{ id: number }>('SELECT id FROM teams WHERE organization_id = $1 AND id = $2', [organizationId, Number(m[1])])
      : await db.query<{ id: number }>('SELECT id FROM teams WHERE organization_id = $1 AND slug = $2', [organizationId, value.slice(1).toLowerCase()]);
    if (rows.length === 0) throw fail();
    return { type: 'team', id: Number(rows[0].id) };
  }
  const byId = /^(?:user:)?(\d{1,10})$/.exec(value);
  if (!byId && !value.includes('@')) throw new ApiError(400, 'assignedTo must be "user:<id>", "team:<id>", "#team-slug", an email or null');
  const rows = await db.query<{ id: number }>(
    `SELECT u.id FROM users u JOIN organization_members m ON m.user_id = u.id AND m.organization_id = $1
     WHERE u.is_active AND ${byId ? 'u.id = $2' : 'lower(u.email) = lower($2)'}`,
    [organizationId, byId ? Number(byId[1]) : value],
  );
  if (rows.length === 0) throw fail();
  return { type: 'user', id: Number(rows[0].id) };
}

/**
 * Sentry's rule: a user must be able to see the issue's project (owners and admins see all, members
 * through their teams); a team must have access to the project.
 */
export async function checkAssignable(db: Database, organizationId: number, assignee: Assignee, projectIds: number[]): Promise<void> {
  const projects = [...new Set(projectIds)];
  if (projects.length === 0) return;
  if (assignee.type === 'team') {
    const rows = await db.query<{ project_id: number }>('SELECT project_id FROM project_teams WHERE team_id = $1 AND project_id = ANY($2::int[])', [assignee.id, projects]);
    if (rows.length < projects.length) throw new ApiError(400, 'assignedTo: cannot assign to a team without access to the project');
    return;
  }
  const member = await membershipFor(db.orm, assignee.id, String(organizationId));
  if (!member) throw new ApiError(400, 'assignedTo: not a member of this organization');
  for (const id of projects) {
    if (!(await canViewProject(db.orm, member, { id, organizationId }))) throw new ApiError(400, 'assignedTo: cannot assign to a member without access to the project');
  }
}

/** Assigns (or with null unassigns) the issues; an activity for each issue whose assignee changed. */
export async function assignIssues(db: Database, issueIds: number[], assignee: Assignee | null, actorUserId: number | null): Promise<number[]> {
  if (issueIds.length === 0) return [];
  const userId = assignee?.type === 'user' ? assignee.id : null;
  const teamId = assignee?.type === 'team' ? assignee.id : null;
  const shown = assignee ? (await assigneesOf(db, [{ assigneeUserId: userId, assigneeTeamId: teamId }]))[0] : null;
  return db.begin(async (tx) => {
    const rows = await lockIssueRows<{ id: number; assignee_user_id: number | null; assignee_team_id: number | null }>(tx, issueIds, 'id, assignee_user_id, assignee_team_id');
    const changed = rows.filter((r) => (r.assignee_user_id ?? null) !== userId || (r.assignee_team_id ?? null) !== teamId).map((r) => Number(r.id));
    if (changed.length === 0) return [];
    await tx.query('UPDATE issues SET assignee_user_id = $2, assignee_team_id = $3 WHERE id = ANY($1::int8[])', [changed, userId, teamId]);
    const data = shown ? { assignee: shown.id, assigneeType: shown.type, assigneeName: shown.name, ...(shown.email ? { assigneeEmail: shown.email } : {}) } : {};
    await addActivities(
      tx,
      changed.map((id) => ({ issueId: id, userId: actorUserId, type: shown ? 'assigned' : 'unassigned', data })),
    );
    return changed;
  });
}

/** The serialized assignee of each row (null when unassigned), in the rows' order. */
export async function assigneesOf(db: Queryable, rows: Array<{ assigneeUserId: number | null; assigneeTeamId: number | null }>): Promise<Array<AssignedTo | null>> {
  const userIds = [...new Set(rows.map((r) => r.assigneeUserId).filter((v): v is number => v !== null))];
  const teamIds = [...new Set(rows.map((r) => r.assigneeTeamId).filter((v): v is number => v !== null))];
  const users = new Map<number, AssignedTo>();
  const teams = new Map<number, AssignedTo>();
  if (userIds.length > 0) {
    for (const u of await db.query<{ id: number; name: string; email: string }>('SELECT id, name, email FROM users WHERE id = ANY($1::int[])', [userIds])) {
      users.set(Number(u.id), { type: 'user', id: String(u.id), name: u.name || u.email, email: u.email });
    }
  }
  if (teamIds.length > 0) {
    for (const t of await db.query<{ id: number; slug: string }>('SELECT id, slug FROM teams WHERE id = ANY($1::int[])', [teamIds])) {
      teams.set(Number(t.id), { type: 'team', id: String(t.id), name: t.slug });
    }
  }
  return rows.map((r) => (r.assigneeUserId !== null ? (users.get(r.assigneeUserId) ?? null) : r.assigneeTeamId !== null ? (teams.get(r.assigneeTeamId) ?? null) : null));
}
