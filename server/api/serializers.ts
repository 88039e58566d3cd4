// JSON shapes of the web API, following Sentry's where Sentry has one (issue and event payloads).
import { eventDisplay, type EventDisplay } from '../pipeline/eventtype.ts';
import type { NormalizedEvent } from '../pipeline/normalize.ts';
import type { EventRow } from '../queries/events.ts';
import type { IssueListRow } from '../queries/issues.ts';
import type { ProjectRow } from './access.ts';

type IssueFields = Omit<IssueListRow, 'cursorValue'>;

const BASE32 = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'.split('');

/** Sentry's short id suffix: the per-project counter in an unambiguous base-32 alphabet. */
export function shortIdSuffix(n: number): string {
  let out = '';
  let v = n;
  do {
    out = BASE32[v % 32] + out;
    v = Math.floor(v / 32);
  } while (v > 0);
  return out;
}

export function shortId(projectSlug: string, n: number): string {
  return `${projectSlug.toUpperCase()}-${shortIdSuffix(n)}`;
}

/** What an issue row does not carry: who it is assigned to, how many comments it has (api/issues.ts issueExtras). */
export interface IssueExtras {
  assignedTo: { type: 'user' | 'team'; id: string; name: string; email?: string } | null;
  numComments: number;
}

export function serializeIssue(
  issue: IssueFields,
  project: Pick<ProjectRow, 'id' | 'slug' | 'name' | 'platform'>,
  publicUrl: string,
  orgSlug: string,
  extras: IssueExtras = { assignedTo: null, numComments: 0 },
) {
  return {
    id: String(issue.id),
    shortId: shortId(project.slug, issue.shortId),
    title: issue.title,
    culprit: issue.culprit,
    permalink: `${publicUrl}/organizations/${orgSlug}/issues/${issue.id}/`,
    logger: null as string | null,
    level: issue.level,
    status: issue.status,
    statusDetails: issue.statusDetails ?? {},
    substatus: issue.substatus,
    isPublic: false,
    platform: issue.platform,
    project: { id: String(project.id), name: project.name, slug: project.slug, platform: project.platform },
    type: issue.type,
    issueType: issue.type === 'error' ? 'error' : 'default',
    issueCategory: 'error',
    metadata: issue.metadata,
    numComments: extras.numComments,
    assignedTo: extras.assignedTo,
    isBookmarked: false,
    isSubscribed: false,
    hasSeen: false,
    annotations: [],
    count: String(issue.timesSeen),
    userCount: issue.userCount,
    firstSeen: issue.firstSeen.toISOString(),
    lastSeen: issue.lastSeen.toISOString(),
    firstRelease: issue.firstRelease ? { version: issue.firstRelease } : null,
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);

/** Sentry's event "entries": the interfaces of the event, each as {type, data}. */
function entries(data: Json) {
  const out: Array<{ type: string; data: unknown }> = [];
  const exception = obj(data.exception);
  if (exception && Array.isArray(exception.values) && exception.values.length > 0) {
    const values = exception.values as Json[];
    const hasSystemFrames = values.some((v) => ((obj(v.stacktrace)?.frames as Json[] | undefined) ?? []).some((f) => f.in_app !== true));
    out.push({ type: 'exception', data: { values, excOmitted: null, hasSystemFrames } });
  }
  const logentry = obj(data.logentry);
  if (logentry) out.push({ type: 'message', data: { formatted: logentry.formatted ?? logentry.message ?? '', message: logentry.message ?? null, params: logentry.params ?? null } });
  const threads = obj(data.threads);
  if (threads && Array.isArray(threads.values) && threads.values.length > 0) out.push({ type: 'threads', data: { values: threads.values } });
  const stacktrace = obj(data.stacktrace);
  if (stacktrace) out.push({ type: 'stacktrace', data: stacktrace });
  const breadcrumbs = obj(data.breadcrumbs);
  if (breadcrumbs && Array.isArray(breadcrumbs.values) && breadcrumbs.values.length > 0) out.push({ type: 'breadcrumbs', data: { values: breadcrumbs.values } });
  const request = obj(data.request);
  if (request) out.push({ type: 'request', data: request });
  return out;
}

const tagList = (tags: [string, string][]) => tags.map(([key, value]) => ({ key, value }));

/** The short form used in event lists. */
export function serializeEventSummary(ev: EventRow) {
  const data = ev.data ? obj(ev.data) : null;
  return {
    id: ev.event_id,
    eventID: ev.event_id,
    groupID: String(ev.issue_id),
    projectID: String(ev.project_id),
    title: ev.title,
    message: ev.message,
    platform: ev.platform,
    'event.type': data ? (data.type ?? null) : null,
    dateCreated: ev.timestamp.toISOString(),
    dateReceived: ev.received.toISOString(),
    level: ev.level,
    environment: ev.environment,
    release: ev.release,
    user: data ? (obj(data.user) ?? null) : ev.user,
    tags: tagList(ev.tags),
  };
}

export function serializeEvent(ev: EventRow, extra: { previousEventID?: string | null; nextEventID?: string | null } = {}) {
  const data = obj(ev.data) ?? {};
  const grouping = obj(ev.grouping) ?? {};
  const sdk = obj(data.sdk);
  let display: EventDisplay | null = null;
  try {
    display = eventDisplay(data as unknown as NormalizedEvent);
  } catch {
    // An event stored by an older version may lack a field the current presentation expects.
  }
  return {
    ...serializeEventSummary(ev),
    type: data.type ?? 'default',
    culprit: display?.culprit ?? null,
    location: display?.location ?? null,
    metadata: display?.metadata ?? null,
    logger: data.logger ?? null,
    transaction: data.transaction ?? null,
    serverName: data.server_name ?? null,
    dist: data.dist ?? null,
    release: ev.release ? { version: ev.release } : null,
    user: obj(data.user) ?? null,
    contexts: obj(data.contexts) ?? {},
    context: obj(data.extra) ?? {},
    sdk: sdk ? { name: sdk.name ?? null, version: sdk.version ?? null } : null,
    fingerprints: Array.isArray(grouping.hashes) ? grouping.hashes : [],
    groupingConfig: { id: grouping.version ?? null },
    entries: entries(data),
    errors: Array.isArray(data.errors) ? data.errors : [],
    size: null,
    previousEventID: extra.previousEventID ?? null,
    nextEventID: extra.nextEventID ?? null,
  };
}
