/**
 * Issue search: the key registry for the issue list (Sentry's issue search keys), plus the
 * sort keys. `parseIssueSearch` = parseSearch + resolveSearch(ISSUE_SEARCH_SPEC).
 */
import { z } from 'zod';
import { parseSearch } from './parse.ts';
import { resolveSearch, type ResolvedTerm, type SearchSpec } from './spec.ts';

/**
 * `is:` values. Status: unresolved, resolved, ignored (alias: archived); substatus:
 * regressed; assignment: assigned, unassigned. Not included (no backing data yet):
 * new, ongoing, escalating, linked, unlinked, bookmarked. for_review: unresolved and new (first seen
 * within 7 days) or regressed or escalating, like Sentry's "For review" tab.
 */
export const ISSUE_IS_VALUES = ['unresolved', 'resolved', 'ignored', 'regressed', 'assigned', 'unassigned', 'for_review'] as const;
export type IssueIsValue = (typeof ISSUE_IS_VALUES)[number];

export const ISSUE_LEVELS = ['fatal', 'error', 'warning', 'info', 'debug'] as const;
export type IssueLevel = (typeof ISSUE_LEVELS)[number];

export const ISSUE_SEARCH_SPEC: SearchSpec = {
  unknownKeys: 'tag',
  freeText: true,
  keys: {
    // `is:` mixes status and assignment, so "any of" lists are refused; combine terms instead.
    is: { type: 'enum', values: ISSUE_IS_VALUES, valueAliases: { archived: 'ignored' }, allowList: false },
    level: { type: 'enum', values: ISSUE_LEVELS },
    environment: { type: 'string' },
    // `release:latest` is passed through as a string; the compiler may special-case it.
    release: { type: 'string' },
    // me | none | my_teams | #team-slug | email
    assigned: { type: 'assignee', aliases: ['assigned_to'] },
    'user.id': { type: 'string' },
    'user.email': { type: 'string' },
    'user.username': { type: 'string' },
    'user.ip': { type: 'string' },
    times_seen: { type: 'number', integer: true, aliases: ['timesSeen'] },
    // `age:-24h` is Sentry's spelling of "first seen within the last 24h".
    firstSeen: { type: 'date', aliases: ['first_seen', 'age'] },
    lastSeen: { type: 'date', aliases: ['last_seen'] },
    title: { type: 'string' },
    culprit: { type: 'string' },
    message: { type: 'string' },
    // Short id, e.g. issue:FAULTLINE-1A (exact match, case as written).
    issue: { type: 'string', allowWildcard: false, aliases: ['shortId'] },
  },
};

/** Parse and validate an issue search. @throws SearchSyntaxError */
export function parseIssueSearch(input: string, now: Date = new Date()): ResolvedTerm[] {
  return resolveSearch(parseSearch(input), ISSUE_SEARCH_SPEC, now);
}

/** `date` = last seen, `new` = first seen, `freq` = times seen, `user` = users affected, `priority`. */
export const ISSUE_SORT_KEYS = ['date', 'new', 'freq', 'user', 'priority'] as const;
export type IssueSort = (typeof ISSUE_SORT_KEYS)[number];
export const IssueSortSchema = z.enum(ISSUE_SORT_KEYS);
export const DEFAULT_ISSUE_SORT: IssueSort = 'date';
