// An issue's comments and activity (Sentry's notes and activities endpoints).
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.ts';
import { addComment, deleteComment, editComment, listActivities, listComments, serializeActivity } from '../queries/issue-activity.ts';
import { getIssue } from '../queries/issues.ts';
import { openapi, type ApiEnv } from './access.ts';
import { intParam } from './context.ts';
import { issueRoutePair } from './issue-detail.ts';
import { json, noContent } from './schemas.ts';

const tags = ['Issue activity'];

export const ActivitySchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ description: 'note, set_resolved, set_resolved_in_release, set_resolved_by_age, set_ignored, set_unresolved, set_regression, set_escalating, auto_set_ongoing, assigned, unassigned, merge, unmerge_source, unmerge_destination, first_seen' }),
    user: z.object({ id: z.string(), name: z.string(), username: z.string(), email: z.string() }).nullable(),
    data: z.record(z.string(), z.unknown()),
    dateCreated: z.string(),
  })
  .openapi('Activity');

const CommentBody = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(10_000) }).openapi('Comment');
const commentBody = { content: { 'application/json': { schema: CommentBody } }, required: true };
const noteParam = { noteId: z.string().regex(/^\d{1,18}$/, 'a comment id').openapi({ param: { name: 'noteId', in: 'path' }, example: '7' }) };
const LimitQuery = z.object({ limit: z.string().optional().openapi({ description: '1 to 1000 (default 100)' }) });

const activitiesRoutes = issueRoutePair('get', '/activities', { scope: 'event:read' }, "An issue's activity, newest first: comments, status changes with who and when, regressions, assignments, merges, and when it was first seen", { query: LimitQuery, tags }, {
  200: json(z.object({ activity: z.array(ActivitySchema) }), 'Activity'),
});
const listCommentsRoutes = issueRoutePair('get', '/comments', { scope: 'event:read' }, "An issue's comments, newest first", { query: LimitQuery, tags }, { 200: json(z.array(ActivitySchema), 'Comments') });
const addCommentRoutes = issueRoutePair('post', '/comments', { scope: 'event:write' }, 'Comment on an issue', { body: commentBody, tags }, { 201: json(ActivitySchema, 'The comment (a "note" activity)') });
const editCommentRoutes = issueRoutePair('put', '/comments/{noteId}', { scope: 'event:write' }, 'Edit your own comment', { body: commentBody, params: noteParam, tags }, { 200: json(ActivitySchema, 'The comment') });
const deleteCommentRoutes = issueRoutePair('delete', '/comments/{noteId}', { scope: 'event:write' }, 'Delete your own comment', { params: noteParam, tags }, { 204: noContent('Deleted') });

export function activityRoutes(): OpenAPIHono<ApiEnv> {
  const r = new OpenAPIHono<ApiEnv>();
  type Valid = { valid(t: 'json'): z.infer<typeof CommentBody> };

  for (const rt of activitiesRoutes) {
    openapi(r, rt, async (c) => {
      const { db } = c.get('app');
      const issue = (await getIssue(db, c.get('issue').id))!;
      const rows = await listActivities(db, issue, intParam(c, 'limit', 100, 1, 1000));
      return c.json({ activity: rows.map(serializeActivity) });
    });
  }

  for (const rt of listCommentsRoutes) {
    openapi(r, rt, async (c) => {
      const rows = await listComments(c.get('app').db, c.get('issue').id, intParam(c, 'limit', 100, 1, 1000));
      return c.json(rows.map(serializeActivity));
    });
  }

  for (const rt of addCommentRoutes) {
    openapi(r, rt, async (c) => {
      const { text } = (c.req as unknown as Valid).valid('json');
      const note = await addComment(c.get('app').db, c.get('issue').id, c.get('actor')!.userId, text);
      return c.json(serializeActivity(note), 201);
    });
  }

  for (const rt of editCommentRoutes) {
    openapi(r, rt, async (c) => {
      const { text } = (c.req as unknown as Valid).valid('json');
      const note = await editComment(c.get('app').db, c.get('issue').id, c.req.param('noteId') ?? '', c.get('actor')!.userId, text);
      return c.json(serializeActivity(note));
    });
  }

  for (const rt of deleteCommentRoutes) {
    openapi(r, rt, async (c) => {
      const noteId = c.req.param('noteId');
      if (!noteId) throw new ApiError(404, 'comment not found');
      await deleteComment(c.get('app').db, c.get('issue').id, noteId, c.get('actor')!.userId);
      return c.body(null, 204);
    });
  }

  return r;
}
