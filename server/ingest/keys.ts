// DSN key lookup for ingest, with a short-lived in-process cache (architecture: caches may live in one
// process if their lifetime is short). A revoked or disabled key stops working within `ttlMs` on every
// process, and at once on the process that changed it (the API calls `invalidate`). The key's rate
// limit travels with it; the counting is in rate-limit.ts. While the database cannot be reached, the
// keys already cached stay in use.
import type { Database } from '../db/client.ts';
import { databaseUnavailable } from '../db/url.ts';
import { KeyRateLimiter, type KeyRateLimit } from './rate-limit.ts';

export interface KeyInfo {
  keyId: number;
  projectId: number;
  isActive: boolean;
  rateLimit: KeyRateLimit | null;
}

export const KEY_CACHE_TTL_MS = 10_000;

export class KeyCache {
  private cache = new Map<string, { info: KeyInfo | null; expires: number }>();
  readonly rateLimits: KeyRateLimiter;

  constructor(
    private readonly db: Database,
    private readonly ttlMs = KEY_CACHE_TTL_MS,
    private readonly maxEntries = 10_000,
  ) {
    this.rateLimits = new KeyRateLimiter(db);
  }

  async get(publicKey: string): Promise<KeyInfo | null> {
    if (publicKey.length > 128) return null;
    const now = Date.now();
    const hit = this.cache.get(publicKey);
    if (hit && hit.expires > now) return hit.info;
    let rows;
    try {
      rows = await this.db.query<{ id: number; project_id: number; is_active: boolean; rate_limit_count: number | null; rate_limit_window: number | null }>(
        'SELECT id, project_id, is_active, rate_limit_count, rate_limit_window FROM project_keys WHERE public_key = $1',
        [publicKey],
      );
    } catch (err) {
      // While the database is away, a key this process knew keeps working (ingest spools its items),
      // and is looked up again a ttl later.
      if (!hit || !databaseUnavailable(err)) throw err;
      hit.expires = now + this.ttlMs;
      return hit.info;
    }
    const r = rows[0];
    const info = r
      ? {
          keyId: r.id,
          projectId: r.project_id,
          isActive: r.is_active,
          rateLimit: r.rate_limit_count !== null && r.rate_limit_window ? { count: r.rate_limit_count, window: r.rate_limit_window } : null,
        }
      : null;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(publicKey, { info, expires: now + this.ttlMs });
    return info;
  }

  invalidate(publicKey?: string): void {
    if (publicKey) this.cache.delete(publicKey);
    else this.cache.clear();
  }
}
