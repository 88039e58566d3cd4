// Changing an issue's status by hand (resolve, ignore, reopen), with an activity entry per issue.
import type { Database } from '../db/client.ts';
import { deleteIssueOwnedRows } from '../db/issue-owned.ts';

export type StatusChange =
  | { status: 'resolved'; inRelease?: string | null; inNextRelease?: boolean }
  | { status: 'unresolved' }
  | { status: 'ignored' };

const ACTIVITY: Record<StatusChange['status'], string> = {
  resolved: 'set_resolved',
  unresolved: 'set_unresolved',
  ignored: 'set_ignored',
};

/** Applies the change to the given issues; returns the ids that changed. */
export async function setIssueStatus(db: Database, issueIds: number[], change: StatusChange, userId: number | null): Promise<number[]> {
  if (issueIds.length === 0) return [];
  const details: Record<string, unknown> = {};
  if (change.status === 'resolved' && change.inRelease) details.inRelease = change.inRelease;
  if (change.status === 'resolved' && change.inNextRelease) details.inNextRelease = true;
  const substatus = change.status === 'unresolved' ? 'ongoing' : change.status === 'ignored' ? 'archived_forever' : null;
  return db.begin(async (tx) => {
    const rows = await tx.query<{ id: number }>(
      `UPDATE issues SET status = $2, substatus = $3, status_details = $4::jsonb,
         resolved_at = CASE WHEN $2 = 'resolved' THEN now() ELSE NULL END
       WHERE id = ANY($1::int8[]) RETURNING id`,
      [issueIds, change.status, substatus, JSON.stringify(details)],
    );
    const changed = rows.map((r) => Number(r.id));
    if (changed.length > 0) {
      await tx.query(
        `INSERT INTO activities (issue_id, type, user_id, data) SELECT id, $2, $3, $4::jsonb FROM unnest($1::int8[]) AS id`,
        [changed, ACTIVITY[change.status], userId, JSON.stringify(details)],
      );
    }
    return changed;
  });
}

/** Deletes issues with everything they own, in one transaction. */
export async function deleteIssues(db: Database, issueIds: number[]): Promise<number> {
  if (issueIds.length === 0) return 0;
  return db.begin(async (tx) => {
    const rows = await tx.query('DELETE FROM issues WHERE id = ANY($1::int8[]) RETURNING id', [issueIds]);
    await deleteIssueOwnedRows(tx, issueIds);
    return rows.length;
  });
}
