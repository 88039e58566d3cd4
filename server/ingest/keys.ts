// DSN key lookup for ingest, with a short-lived in-process cache (architecture: caches may live in one
// process if their lifetime is short). A revoked key stops working within `ttlMs` on every process.
import type { Database } from '../db/client.ts';

export interface KeyInfo {
  keyId: number;
  projectId: number;
  isActive: boolean;
}

export class KeyCache {
  private cache = new Map<string, { info: KeyInfo | null; expires: number }>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(publicKey: string): Promise<KeyInfo | null> {
    if (publicKey.length > 128) return null;
    const now = Date.now();
    const hit = this.cache.get(publicKey);
    if (hit && hit.expires > now) return hit.info;
    const rows = await this.db.query<{ id: number; project_id: number; is_active: boolean }>(
      'SELECT id, project_id, is_active FROM project_keys WHERE public_key = $1',
      [publicKey],
    );
    const info = rows[0] ? { keyId: rows[0].id, projectId: rows[0].project_id, isActive: rows[0].is_active } : null;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(publicKey, { info, expires: now + this.ttlMs });
    return info;
  }

  invalidate(publicKey?: string): void {
    if (publicKey) this.cache.delete(publicKey);
    else this.cache.clear();
  }
}
