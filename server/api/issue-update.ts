// Changing issues, one or many: the request body (status with ignore conditions or a release,
// assignee, merge), checked and applied.
import { z } from '@hono/zod-openapi';
import { ApiError } from '../errors.ts';
import { assignIssues, assigneesOf, checkAssignable, resolveAssignee, type Assignee } from '../queries/issue-assign.ts';
import { setIssueStatus, type IgnoreRequest, type StatusChange } from '../queries/issue-status.ts';
import type { IssueListRow } from '../queries/issues.ts';
import type { ApiContext } from './context.ts';

// Ignore conditions, in minutes where they are durations (Sentry's names). They may be sent in
// statusDetails or, as older Sentry clients do, next to status.
const IGNORE_FIELDS = {
  ignoreDuration: z.number().int().min(1).max(525_600).optional().openapi({ description: 'Ignore for this many minutes' }),
  ignoreCount: z.number().int().min(1).max(1_000_000_000).optional().openapi({ description: 'Until this many more events (within ignoreWindow minutes, if set)' }),
  ignoreWindow: z.number().int().min(1).max(10_080).optional().openapi({ description: 'Minutes: with ignoreCount, a rate' }),
  ignoreUserCount: z.number().int().min(1).max(1_000_000_000).optional().openapi({ description: 'Until this many more users (within ignoreUserWindow minutes, if set)' }),
  ignoreUserWindow: z.number().int().min(1).max(10_080).optional().openapi({ description: 'Minutes: with ignoreUserCount, users within a window' }),
};

const UpdateBody = z
  .object({
    status: z.enum(['resolved', 'unresolved', 'ignored', 'resolvedInNextRelease']).optional(),
    statusDetails: z
      .object({
        inRelease: z.string().min(1).max(200).optional().openapi({ description: 'Resolved in this release ("latest": the latest release)' }),
        inNextRelease: z.boolean().optional(),
        ...IGNORE_FIELDS,
      })
      .loose()
      .optional(),
    ...IGNORE_FIELDS,
    assignedTo: z
      .string()
      .max(300)
      .nullable()
      .optional()
      .openapi({ description: '"user:<id>", "team:<id>", "#team-slug", an email, or null / "" to unassign' }),
    merge: z.union([z.boolean(), z.literal(0), z.literal(1)]).optional().openapi({ description: 'Bulk only: merge the issues into the one with the most events' }),
  })
  .openapi('IssueUpdate');
export type UpdateInput = z.infer<typeof UpdateBody>;

export const updateBody = { content: { 'application/json': { schema: UpdateBody } }, required: true };
export const BulkResult = z
  .object({
    status: z.string().optional(),
    statusDetails: z.record(z.string(), z.unknown()).optional(),
    assignedTo: z.unknown().optional(),
    merge: z.object({ parent: z.string(), children: z.array(z.string()) }).optional(),
  })
  .openapi('IssueBulkResult');

/** A request body as what to do: a status change, an assignee (undefined: leave; null: unassign), a merge. */
export interface Update {
  status: StatusChange | null;
  assignedTo: string | null | undefined;
  merge: boolean;
}

export function parseUpdate(body: UpdateInput): Update {
  const details = body.statusDetails ?? {};
  const ignore: IgnoreRequest = {};
  for (const k of ['ignoreDuration', 'ignoreCount', 'ignoreWindow', 'ignoreUserCount', 'ignoreUserWindow'] as const) {
    const v = details[k] ?? body[k];
    if (v !== undefined) ignore[k] = v;
  }
  const hasIgnore = Object.keys(ignore).length > 0;
  if (hasIgnore && body.status !== 'ignored') throw new ApiError(400, 'ignore conditions need status "ignored"');
  if (ignore.ignoreWindow !== undefined && ignore.ignoreCount === undefined) throw new ApiError(400, 'ignoreWindow needs ignoreCount');
  if (ignore.ignoreUserWindow !== undefined && ignore.ignoreUserCount === undefined) throw new ApiError(400, 'ignoreUserWindow needs ignoreUserCount');
  if ((details.inRelease !== undefined || details.inNextRelease) && body.status !== 'resolved' && body.status !== 'resolvedInNextRelease') {
    throw new ApiError(400, 'inRelease and inNextRelease need status "resolved"');
  }
  let status: StatusChange | null = null;
  if (body.status === 'resolvedInNextRelease') status = { status: 'resolved', inNextRelease: true };
  else if (body.status === 'resolved') status = { status: 'resolved', inRelease: details.inRelease ?? null, inNextRelease: details.inNextRelease };
  else if (body.status === 'ignored') status = { status: 'ignored', ignore: hasIgnore ? ignore : undefined };
  else if (body.status === 'unresolved') status = { status: 'unresolved' };
  const merge = body.merge === true || body.merge === 1;
  if (!status && body.assignedTo === undefined && !merge) throw new ApiError(400, 'nothing to change: send status, assignedTo or merge');
  return { status, assignedTo: body.assignedTo === '' ? null : body.assignedTo, merge };
}

/** Applies status and assignee changes to the issues; returns what was applied, Sentry-shaped. */
export async function applyUpdate(c: ApiContext, targets: IssueListRow[], update: Update): Promise<z.infer<typeof BulkResult>> {
  const { db } = c.get('app');
  const member = c.get('member');
  const userId = c.get('actor')!.userId;
  const ids = targets.map((t) => t.id);
  const out: z.infer<typeof BulkResult> = {};
  let assignee: Assignee | null = null;
  if (update.assignedTo) {
    assignee = await resolveAssignee(db, member.organizationId, update.assignedTo);
    await checkAssignable(db, member.organizationId, assignee, targets.map((t) => t.projectId));
  }
  if (update.status) {
    const applied = await setIssueStatus(db, ids, update.status, userId);
    out.status = update.status.status;
    out.statusDetails = applied.statusDetails;
  }
  if (update.assignedTo !== undefined) {
    await assignIssues(db, ids, assignee, userId);
    out.assignedTo = assignee ? (await assigneesOf(db, [{ assigneeUserId: assignee.type === 'user' ? assignee.id : null, assigneeTeamId: assignee.type === 'team' ? assignee.id : null }]))[0] : null;
  }
  return out;
}
