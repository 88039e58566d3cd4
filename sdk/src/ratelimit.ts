// Rate limits as servers announce them, protocol §4.3. `X-Sentry-Rate-Limits` (on any response)
// limits categories for `retry_after` seconds each; `limit = retry_after:categories:scope[:reason]`,
// empty categories = all. Without it, a 429 limits everything for `Retry-After` (seconds or an
// HTTP date; 60 s when absent).

import type { TransportResponse } from './types.js';

/** Category → time (ms since the epoch) until which it may not be sent; `all` for every category. */
export type RateLimits = Record<string, number>;

const DEFAULT_RETRY_MS = 60_000;

export function parseRetryAfter(header: string | null | undefined, now: number): number {
  if (!header) return DEFAULT_RETRY_MS;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? DEFAULT_RETRY_MS : Math.max(0, date - now);
}

/** New limits after a response; the old object is not changed. */
export function updateRateLimits(limits: RateLimits, res: TransportResponse, now = Date.now()): RateLimits {
  const out = { ...limits };
  const set = (category: string, until: number) => {
    out[category] = Math.max(out[category] ?? 0, until);
  };
  if (res.rateLimits) {
    for (const limit of res.rateLimits.trim().split(',')) {
      const [after, categories] = limit.split(':');
      const seconds = parseFloat(after);
      const until = now + (Number.isFinite(seconds) ? seconds : 60) * 1000;
      if (!categories) set('all', until);
      else for (const c of categories.split(';')) if (c.trim()) set(c.trim(), until);
    }
  } else if (res.status === 429) {
    set('all', now + parseRetryAfter(res.retryAfter, now));
  }
  return out;
}

export function isRateLimited(limits: RateLimits, category: string, now = Date.now()): boolean {
  // Client reports (`internal`) are never limited explicitly, only by `all`.
  return Math.max(limits[category] ?? 0, limits.all ?? 0) > now;
}
