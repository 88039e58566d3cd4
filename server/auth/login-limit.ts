// Sign-in rate limiting: failed attempts are counted per email and per client address in fixed
// 15-minute windows, in the database (auth/counters.ts), so the limit holds across processes.
// Every attempt is counted *before* the password is checked (then un-counted on success), so that
// parallel guesses cannot all slip past the check while argon2 runs. Unknown emails count exactly
// like known ones, and the answer never says which it was.
import type { Queryable } from '../db/client.ts';
import { ApiError } from '../errors.ts';
import { bumpCounter, pruneCounters, resetCounter, secondsLeft, windowStart } from './counters.ts';

export const LOGIN_LIMITS = {
  windowSeconds: 15 * 60,
  /** Failed attempts per email and window. */
  perEmail: 10,
  /** Failed attempts per client address and window (higher: offices share an address). */
  perAddress: 50,
};

export class LoginRateLimited extends ApiError {
  constructor(readonly retryAfter: number) {
    super(429, 'too many failed sign-in attempts; try again later', 'rate_limited');
  }
}

export interface Attempt {
  emailKey: string;
  addressKey: string | null;
  window: number;
}

const emailKey = (email: string) => `login:email:${email.trim().toLowerCase().slice(0, 320)}`;

/** Counts an attempt; throws LoginRateLimited when the email or the address is over its limit. */
export async function beginAttempt(db: Queryable, email: string, address: string | null, now = Date.now()): Promise<Attempt> {
  const window = windowStart(now, LOGIN_LIMITS.windowSeconds);
  const attempt: Attempt = { emailKey: emailKey(email), addressKey: address ? `login:ip:${address}` : null, window };
  const byEmail = await bumpCounter(db, attempt.emailKey, window, 1);
  const byAddress = attempt.addressKey ? await bumpCounter(db, attempt.addressKey, window, 1) : 0;
  if (Math.random() < 0.02) await pruneCounters(db, 2 * 86_400_000);
  if (byEmail > LOGIN_LIMITS.perEmail || byAddress > LOGIN_LIMITS.perAddress) throw new LoginRateLimited(secondsLeft(now, LOGIN_LIMITS.windowSeconds));
  return attempt;
}

/** A successful sign-in: the email starts afresh; the address gets its attempt back. */
export async function attemptSucceeded(db: Queryable, a: Attempt): Promise<void> {
  await resetCounter(db, a.emailKey);
  if (a.addressKey) await bumpCounter(db, a.addressKey, a.window, -1);
}
