// The rules that move an issue out of resolved or ignored on its own (protocol doc §7.3): regressions
// of resolved issues ("now", "in release R", "in the next release"), and ignore conditions that trip
// (a duration, N more events or users, a rate). Pure functions: the digest (digest-reopen.ts) and the
// scheduled jobs (server/jobs/) feed them what they read under the issues' row locks.
import semver from 'semver';

export interface ResolvedState {
  status: string;
  statusDetails: Record<string, unknown> | null;
  resolvedAt: Date | null;
}

/**
 * A release's version when it reads as one (`1.2.3`, `v2.0`, `app@1.4.0-rc.1+build`): the part after
 * the last `@`, digits first. Anything else (a commit sha, `build-42`, `prod`) has no order of its own;
 * such releases are ordered by when the project first saw them.
 */
export function releaseVersion(release: string): semver.SemVer | null {
  const v = release.includes('@') ? release.slice(release.lastIndexOf('@') + 1) : release;
  if (!/^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v)) return null;
  return semver.coerce(v.replace(/\+.*$/, ''), { includePrerelease: true });
}

/** Release order by version where both read as versions, else null (unknown). */
export function compareReleases(a: string, b: string): number | null {
  const va = releaseVersion(a);
  const vb = releaseVersion(b);
  if (!va || !vb) return null;
  return semver.compare(va, vb);
}

/**
 * When a project first saw a release (the earliest first_seen of its `release` tag values), or null
 * for a release it had not seen before the batch being digested.
 */
export type ReleaseFirstSeen = (release: string) => Date | null;

/**
 * The releases whose first sighting `isRegression` needs for this issue and event: those it cannot
 * order by version. The digest looks them up in one query before deciding.
 */
export function releasesToLookUp(issue: ResolvedState, event: { release: string | null }): string[] {
  if (issue.status !== 'resolved' || !event.release) return [];
  const d = issue.statusDetails ?? {};
  const ref = typeof d.inRelease === 'string' && d.inRelease !== '' ? d.inRelease : d.inNextRelease === true && typeof d.currentRelease === 'string' ? d.currentRelease : null;
  if (!ref || ref === event.release || compareReleases(event.release, ref) !== null) return [];
  return [event.release, ref];
}

/** Is `release` newer than `ref` when versions cannot tell: first seen later (or not seen before at all). */
function newerBySighting(release: string, ref: string, firstSeen: ReleaseFirstSeen): boolean {
  const fRef = firstSeen(ref);
  if (!fRef) return false; // the reference release has not shipped yet: nothing can be newer
  const f = firstSeen(release);
  return !f || f.getTime() > fRef.getTime();
}

/**
 * Does this event reopen the resolved issue? Not for an event that happened before the resolution
 * (a late retry, a buffered mobile event). "Resolved in release R": only an event from a release newer
 * than R. "Resolved in the next release" (Sentry's resolvedInNextRelease): the release that was the
 * project's latest when resolving (`currentRelease`) and older ones stay resolved, a later one
 * regresses; with no release at resolve time, any event with a release regresses. Events without a
 * release never reopen an issue resolved in a release (Sentry does the same).
 */
export function isRegression(issue: ResolvedState, event: { timestamp: Date; release: string | null }, firstSeen: ReleaseFirstSeen = () => null): boolean {
  if (issue.status !== 'resolved') return false;
  if (issue.resolvedAt && event.timestamp.getTime() <= issue.resolvedAt.getTime()) return false;
  const d = issue.statusDetails ?? {};
  const inRelease = typeof d.inRelease === 'string' && d.inRelease !== '' ? d.inRelease : null;
  if (inRelease) {
    if (!event.release || event.release === inRelease) return false;
    const cmp = compareReleases(event.release, inRelease);
    return cmp !== null ? cmp > 0 : newerBySighting(event.release, inRelease, firstSeen);
  }
  if (d.inNextRelease === true) {
    if (!event.release) return false;
    const current = typeof d.currentRelease === 'string' && d.currentRelease !== '' ? d.currentRelease : null;
    if (!current) return true;
    if (event.release === current) return false;
    const cmp = compareReleases(event.release, current);
    return cmp !== null ? cmp > 0 : newerBySighting(event.release, current, firstSeen);
  }
  return true;
}

/**
 * The project's latest release when resolving "in the next release": the highest version when the
 * most recently seen release reads as a version, else the most recently first-seen release.
 */
export function latestRelease(releases: Array<{ release: string; firstSeen: Date }>): string | null {
  if (releases.length === 0) return null;
  const newest = releases.reduce((a, b) => (b.firstSeen.getTime() > a.firstSeen.getTime() ? b : a));
  if (!releaseVersion(newest.release)) return newest.release;
  let best = newest.release;
  for (const r of releases) {
    const cmp = compareReleases(r.release, best);
    if (cmp !== null && cmp > 0) best = r.release;
  }
  return best;
}

// ---------------------------------------------------------------- ignore conditions

/**
 * What an ignored issue waits for, stored in issues.status_details with Sentry's names (minutes for
 * durations and windows). `state` is the snapshot taken when ignoring: counts since then are measured
 * against it. No condition at all: ignored forever.
 */
export interface IgnoreDetails {
  /** ISO time after which the issue comes back (ignoreDuration minutes after ignoring). */
  ignoreUntil?: string;
  ignoreDuration?: number;
  /** Come back after this many more events (ignoreWindow: this many within the last ignoreWindow minutes). */
  ignoreCount?: number;
  ignoreWindow?: number;
  /** Come back after this many more distinct users (ignoreUserWindow: within the last that many minutes). */
  ignoreUserCount?: number;
  ignoreUserWindow?: number;
  state?: { timesSeen: number; userCount: number; since: string };
}

export const IGNORE_KEYS = ['ignoreUntil', 'ignoreDuration', 'ignoreCount', 'ignoreWindow', 'ignoreUserCount', 'ignoreUserWindow'] as const;

export function ignoreDetailsOf(details: unknown): IgnoreDetails {
  const d = (details && typeof details === 'object' ? details : {}) as Record<string, unknown>;
  const out: IgnoreDetails = {};
  const num = (k: keyof IgnoreDetails) => (typeof d[k] === 'number' && (d[k] as number) > 0 ? (d[k] as number) : undefined);
  if (typeof d.ignoreUntil === 'string') out.ignoreUntil = d.ignoreUntil;
  for (const k of ['ignoreDuration', 'ignoreCount', 'ignoreWindow', 'ignoreUserCount', 'ignoreUserWindow'] as const) {
    const v = num(k);
    if (v !== undefined) out[k] = v;
  }
  const s = d.state as IgnoreDetails['state'] | undefined;
  if (s && typeof s === 'object') out.state = { timesSeen: Number(s.timesSeen) || 0, userCount: Number(s.userCount) || 0, since: String(s.since ?? '') };
  return out;
}

export function hasIgnoreCondition(d: IgnoreDetails): boolean {
  return d.ignoreUntil !== undefined || d.ignoreCount !== undefined || d.ignoreUserCount !== undefined;
}

/** Why an ignored issue comes back: its substatus (Sentry: a duration ends "ongoing", counts "escalating"). */
export type IgnoreTrip = 'ongoing' | 'escalating';

/**
 * The ignore conditions an issue's new events can decide without reading more: the duration, and the
 * counts since ignoring (no window). `timesSeen` and `userCount` include the new events and users.
 * Windowed conditions need the events of the window: `windowedConditions` says which.
 */
export function ignoreTripped(d: IgnoreDetails, now: Date, counts: { timesSeen: number; userCount: number }): IgnoreTrip | null {
  if (d.ignoreUntil !== undefined && Date.parse(d.ignoreUntil) <= now.getTime()) return 'ongoing';
  const base = d.state ?? { timesSeen: 0, userCount: 0 };
  if (d.ignoreCount !== undefined && d.ignoreWindow === undefined && counts.timesSeen - base.timesSeen >= d.ignoreCount) return 'escalating';
  if (d.ignoreUserCount !== undefined && d.ignoreUserWindow === undefined && counts.userCount - base.userCount >= d.ignoreUserCount) return 'escalating';
  return null;
}

/**
 * Windowed conditions: count events (or distinct users) since `since` (the later of the window's start
 * and the moment of ignoring), and trip at `atLeast`.
 */
export function windowedConditions(d: IgnoreDetails, now: Date): { events?: { since: Date; atLeast: number }; users?: { since: Date; atLeast: number } } {
  const ignoredAt = d.state?.since ? Date.parse(d.state.since) : Number.NaN;
  const since = (minutes: number) => new Date(Math.max(now.getTime() - minutes * 60_000, Number.isNaN(ignoredAt) ? 0 : ignoredAt));
  return {
    ...(d.ignoreCount !== undefined && d.ignoreWindow !== undefined ? { events: { since: since(d.ignoreWindow), atLeast: d.ignoreCount } } : {}),
    ...(d.ignoreUserCount !== undefined && d.ignoreUserWindow !== undefined ? { users: { since: since(d.ignoreUserWindow), atLeast: d.ignoreUserCount } } : {}),
  };
}

/** The conditions alone (no snapshot), as Sentry's `expired_snooze` activity data. */
export function ignoreConditions(d: IgnoreDetails): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of IGNORE_KEYS) if (d[k] !== undefined) out[k] = d[k];
  return out;
}
