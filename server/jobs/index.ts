// Scheduled work (croner), started by processes that run the worker role. Every job is safe to run
// in several processes at once (see each job), so there is no leader election.
import { Cron } from 'croner';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { applyLogRetention, ensureLogPartitions } from '../logs/partitions.ts';
import { runIssueLifecycle } from './issue-lifecycle.ts';

export interface ScheduledJobs {
  stop(): void;
}

/** Every 5 minutes: auto-resolve and expired ignore durations. */
export const ISSUE_LIFECYCLE_SCHEDULE = '*/5 * * * *';

/** Every hour: tomorrow's log partitions, and log retention (dropping whole daily partitions). */
export const LOG_MAINTENANCE_SCHEDULE = '7 * * * *';

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
    new Cron(LOG_MAINTENANCE_SCHEDULE, { name: 'log-maintenance', protect: true, unref: true }, async () => {
      try {
        await ensureLogPartitions(db);
        const r = await applyLogRetention(db);
        if (r.dropped.length + r.deleted > 0) log.info(`logs: dropped ${r.dropped.join(', ') || 'no partitions'}, deleted ${r.deleted} records past retention`);
      } catch (err) {
        log.error('log maintenance job failed', err);
      }
    }),
  ];
  return {
    stop() {
      for (const j of jobs) j.stop();
    },
  };
}
