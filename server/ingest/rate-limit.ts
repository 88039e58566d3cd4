// Per-key rate limits at ingest (a key's rate_limit_count events per rate_limit_window seconds).
// Over the limit: 429 with Retry-After and `X-Sentry-Rate-Limits: <seconds>::key:key_quota` (protocol
// doc §4.3: empty categories = all, scope key), and nothing is stored.
//
// Counting across processes without a database round trip per event: each process *leases* a slice
// of the window's quota from a shared counter (auth/counters.ts, one atomic upsert per lease) and
// spends it in memory. A lease is a twentieth of the limit (at least 1, at most 1000), so a key
// limited to 10,000/min costs one small UPDATE per 500 events per process, and keys without a limit
// cost nothing but a field check. Once the counter says the window is spent, the process remembers
// it and answers 429 without asking the database again until the window ends: a client hammering a
// spent key costs nothing.
// Trade-offs: the limit is never exceeded across processes, but slices leased by one process and
// not spent by the end of the window are lost, so with P processes up to P × lease events (5% of the
// limit per process) may be refused early. Windows are fixed and aligned to the epoch, so a client may
// send up to twice the limit across a window boundary.
import type { Queryable } from '../db/client.ts';
import { bumpCounter, pruneCounters, secondsLeft, windowStart } from '../auth/counters.ts';
import { IngestError } from './errors.ts';

export interface KeyRateLimit {
  count: number;
  /** Seconds. */
  window: number;
}

export interface LimitedKey {
  keyId: number;
  rateLimit: KeyRateLimit | null;
}

/** A request over its key's quota (answered 429 by ingest/routes.ts). */
export class KeyRateLimited extends Error {
  constructor(readonly retryAfter: number) {
    super('DSN key rate limit exceeded');
  }

  get headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfter), 'X-Sentry-Rate-Limits': `${this.retryAfter}::key:key_quota` };
  }
}

export const MAX_RATE_WINDOW_SECONDS = 86_400;
const PRUNE_EVERY_MS = 3_600_000;

interface WindowState {
  limit: number;
  window: number;
  start: number;
  /** Leased from the shared counter and not spent yet. */
  left: number;
  /** The shared counter has nothing left in this window. */
  spent: boolean;
  leasing: Promise<void> | null;
}

export function leaseSize(limit: number): number {
  return Math.min(1000, Math.max(1, Math.floor(limit / 20)));
}

export class KeyRateLimiter {
  private states = new Map<number, WindowState>();
  private lastPrune = 0;

  constructor(
    private readonly db: Queryable,
    private readonly now: () => number = Date.now,
  ) {}

  /** Before reading a body: throws when this process knows the key's quota is spent. No I/O. */
  check(key: LimitedKey): void {
    if (!key.rateLimit) return;
    const now = this.now();
    const s = this.state(key.keyId, key.rateLimit, now);
    if (s.spent && s.left <= 0) throw new KeyRateLimited(secondsLeft(now, s.window));
  }

  /** Takes `n` events from the key's quota, or throws KeyRateLimited having taken none. */
  async take(key: LimitedKey, n: number): Promise<void> {
    if (!key.rateLimit || n <= 0) return;
    for (;;) {
      const now = this.now();
      const s = this.state(key.keyId, key.rateLimit, now);
      if (s.left >= n) {
        s.left -= n;
        return;
      }
      if (s.spent || n > s.limit) throw new KeyRateLimited(secondsLeft(now, s.window));
      if (!s.leasing) s.leasing = this.lease(key.keyId, s, n).finally(() => (s.leasing = null));
      await s.leasing;
    }
  }

  private state(keyId: number, limit: KeyRateLimit, now: number): WindowState {
    const start = windowStart(now, limit.window);
    let s = this.states.get(keyId);
    if (!s || s.start !== start || s.limit !== limit.count || s.window !== limit.window) {
      if (this.states.size >= 10_000) this.states.clear();
      s = { limit: limit.count, window: limit.window, start, left: 0, spent: false, leasing: null };
      this.states.set(keyId, s);
    }
    return s;
  }

  private async lease(keyId: number, s: WindowState, need: number): Promise<void> {
    const want = Math.max(leaseSize(s.limit), need - s.left);
    let total: number;
    try {
      total = await bumpCounter(this.db, `dsnkey:${keyId}:${s.window}`, s.start, want);
    } catch {
      throw new IngestError('unavailable');
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      pruneCounters(this.db, 2 * MAX_RATE_WINDOW_SECONDS * 1000).catch(() => {});
    }
    // The counter only grows (by whole leases); what was left before our lease is ours, up to `want`.
    const granted = Math.max(0, Math.min(want, s.limit - (total - want)));
    s.left += granted;
    if (granted < want) s.spent = true;
  }
}
