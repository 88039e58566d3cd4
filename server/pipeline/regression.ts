// Does a new event reopen a resolved issue? (protocol doc §7.3)
import semver from 'semver';

export interface ResolvedState {
  status: string;
  statusDetails: Record<string, unknown> | null;
  resolvedAt: Date | null;
}

/** Release order: semver where both parse (loosely, `app@1.2.3` → `1.2.3`), else unknown. */
export function compareReleases(a: string, b: string): number | null {
  const va = semver.coerce(a.includes('@') ? a.slice(a.lastIndexOf('@') + 1) : a, { includePrerelease: true });
  const vb = semver.coerce(b.includes('@') ? b.slice(b.lastIndexOf('@') + 1) : b, { includePrerelease: true });
  if (!va || !vb) return null;
  return semver.compare(va, vb);
}

export function isRegression(issue: ResolvedState, event: { timestamp: Date; release: string | null }): boolean {
  if (issue.status !== 'resolved') return false;
  // An event that happened before the resolution (a late retry, a buffered mobile event) reopens nothing.
  if (issue.resolvedAt && event.timestamp.getTime() <= issue.resolvedAt.getTime()) return false;
  const inRelease = issue.statusDetails?.inRelease;
  if (typeof inRelease === 'string' && inRelease !== '') {
    // "Resolved in release R": only an event from a release newer than R is a regression. Without
    // release information, or with releases we cannot order, it stays resolved (Sentry does the same).
    if (!event.release) return false;
    if (event.release === inRelease) return false;
    const cmp = compareReleases(event.release, inRelease);
    return cmp !== null && cmp > 0;
  }
  return true;
}
