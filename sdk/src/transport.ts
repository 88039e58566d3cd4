// The one send policy (as sentry-javascript's `transports/base.ts`): every envelope from every
// platform goes through here; a platform only supplies `makeRequest`, the network call.
//
//  - A bounded queue: envelopes waiting plus in flight never exceed `maxQueue`; more are dropped
//    (`queue_overflow`). At most CONCURRENCY requests are in flight.
//  - Rate limits per category (ratelimit.ts): limited items are dropped before and after queueing
//    (`ratelimit_backoff`); a 429 drops what it answered.
//  - Other non-2xx answers drop the envelope (`send_error`), network failures and timeouts
//    (`network_error`). Nothing is retried, as in the official SDKs (protocol §4.3).
//  - Every drop is counted per reason and category for the client report; client reports themselves
//    (category `internal`) are never counted, so reporting losses cannot loop.
//  - Nothing here throws, and nothing waits on the network synchronously.

import { itemCategory, itemQuantity, serializeEnvelope, type Envelope } from './envelope.js';
import { isRateLimited, updateRateLimits, type RateLimits } from './ratelimit.js';
import type { DropReason, MakeRequest } from './types.js';

const CONCURRENCY = 6;
/** Fetch's keepalive quota is 64 KiB for all such requests in flight; browsers also cap their number. */
const KEEPALIVE_BYTES = 60_000;
const KEEPALIVE_COUNT = 15;

export interface TransportOptions {
  url: string;
  makeRequest: MakeRequest;
  maxQueue: number;
  /** Per-request timeout, ms. */
  timeout: number;
  /** The platform can send with `keepalive` (browsers). */
  keepalive?: boolean;
  recordDrop(reason: DropReason, category: string, quantity: number): void;
  log?(message: string): void;
}

export interface Transport {
  send(envelope: Envelope): void;
  /** Resolves true once nothing waits or is in flight, false after `timeout` ms (0: no limit). */
  flush(timeout?: number): Promise<boolean>;
  rateLimits(): RateLimits;
}

const unref = (t: unknown) => (t as { unref?: () => void })?.unref?.();

export function createTransport(o: TransportOptions): Transport {
  let limits: RateLimits = {};
  const waiting: Envelope[] = [];
  let inFlight = 0;
  let keepaliveBytes = 0;
  let keepaliveCount = 0;
  let idle: Array<() => void> = [];

  function drop(envelope: Envelope, reason: DropReason) {
    for (const item of envelope[1]) {
      const category = itemCategory(item[0].type);
      if (category !== 'internal') o.recordDrop(reason, category, itemQuantity(item));
    }
    o.log?.(`dropped an envelope (${envelope[1].map((i) => i[0].type).join(', ')}): ${reason}`);
  }

  /** The envelope without its rate-limited items (counted), or null when nothing is left. */
  function withoutLimited(envelope: Envelope): Envelope | null {
    const now = Date.now();
    const kept = envelope[1].filter((item) => {
      const category = itemCategory(item[0].type);
      if (!isRateLimited(limits, category, now)) return true;
      drop([envelope[0], [item]], 'ratelimit_backoff');
      return false;
    });
    return kept.length ? [envelope[0], kept] : null;
  }

  function settled() {
    if (inFlight || waiting.length) return;
    const waiters = idle;
    idle = [];
    for (const w of waiters) w();
  }

  function dispatch(envelope: Envelope) {
    let body: string;
    try {
      body = serializeEnvelope(envelope);
    } catch {
      drop(envelope, 'internal_sdk_error');
      return;
    }
    const size = o.keepalive ? new TextEncoder().encode(body).length : body.length;
    const keepalive = !!o.keepalive && keepaliveBytes + size <= KEEPALIVE_BYTES && keepaliveCount < KEEPALIVE_COUNT;
    if (keepalive) {
      keepaliveBytes += size;
      keepaliveCount++;
    }
    inFlight++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The platform times its request out; this is the backstop if a request never settles.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), o.timeout + 1000);
      unref(timer);
    });
    Promise.race([Promise.resolve().then(() => o.makeRequest({ url: o.url, body, keepalive, timeout: o.timeout })), timedOut])
      .then(
        (res) => {
          limits = updateRateLimits(limits, res);
          if (res.status === 429) drop(envelope, 'ratelimit_backoff');
          else if (!(res.status >= 200 && res.status < 300)) drop(envelope, 'send_error');
        },
        (err) => {
          o.log?.(`request failed: ${err instanceof Error ? err.message : String(err)}`);
          drop(envelope, 'network_error');
        },
      )
      .then(() => {
        clearTimeout(timer);
        if (keepalive) {
          keepaliveBytes -= size;
          keepaliveCount--;
        }
        inFlight--;
        pump();
        settled();
      });
  }

  function pump() {
    while (inFlight < CONCURRENCY && waiting.length) {
      const next = withoutLimited(waiting.shift()!);
      if (next) dispatch(next);
    }
  }

  return {
    send(envelope) {
      try {
        const e = withoutLimited(envelope);
        if (!e) return;
        if (waiting.length + inFlight >= o.maxQueue) return drop(e, 'queue_overflow');
        waiting.push(e);
        pump();
      } catch {
        // never into the host
      }
    },
    flush(timeout = 0) {
      if (!inFlight && !waiting.length) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done = (ok: boolean) => {
          clearTimeout(timer);
          resolve(ok);
        };
        idle.push(() => done(true));
        if (timeout > 0) {
          timer = setTimeout(() => done(false), timeout);
          unref(timer);
        }
      });
    },
    rateLimits: () => limits,
  };
}
