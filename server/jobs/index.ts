// Scheduled work (croner), started by processes that run the worker role. Every job is safe to run
// in several processes at once (see each job), so there is no leader election.
import { Cron } from 'croner';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { runIssueLifecycle } from './issue-lifecycle.ts';

export interface ScheduledJobs {
  stop(): void;
}

/** Every 5 minutes: auto-resolve and expired ignore durations. */
export const ISSUE_LIFECYCLE_SCHEDULE = '*/5 * * * *';

export function startScheduledJobs(db: Database, log: Logger): ScheduledJobs {
  const jobs = [
    new Cron(ISSUE_LIFECYCLE_SCHEDULE, { name: 'issue-lifecycle', protect: true, unref: true }, async () => {
      try {
        const r = await runIssueLifecycle(db);
        if (r.resolved.length + r.unignored.length > 0) log.info(`issues: ${r.resolved.length} auto-resolved, ${r.unignored.length} back from ignored`);
      } catch (err) {
        log.error('issue lifecycle job failed', err);
      }
    }),
  ];
  return {
    stop() {
      for (const j of jobs) j.stop();
    },
  };
}
