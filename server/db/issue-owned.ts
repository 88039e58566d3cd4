// The tables whose rows belong to an issue and carry its id without a foreign key (see db/schema.ts).
import type { Queryable } from './client.ts';

const ISSUE_OWNED = ['events', 'issue_hashes', 'issue_tags', 'issue_users', 'issue_stats', 'activities'] as const;

/** Deletes every row the given issues own; call inside the transaction that deletes (or found deleted) them. */
export async function deleteIssueOwnedRows(tx: Queryable, issueIds: number[]): Promise<void> {
  if (issueIds.length === 0) return;
  // The events' payloads first, while the events still say which they are.
  await tx.query(
    `DELETE FROM event_payloads p USING events e
     WHERE e.issue_id = ANY($1::int8[]) AND p.project_id = e.project_id AND p.event_id = e.event_id`,
    [issueIds],
  );
  for (const table of ISSUE_OWNED) await tx.query(`DELETE FROM ${table} WHERE issue_id = ANY($1::int8[])`, [issueIds]);
}
