// Payloads this process just wrote to the queue, kept for the digest worker of the same process so it
// need not read them back from the database (measured: ~13% more events per second end to end).
// Only the text is kept: keeping ingest's parsed objects as well saved a JSON.parse but cost more in
// garbage collection than it saved.
// Only an optimization: the queue row stays the source of truth, a miss reads the row, and a worker in
// another process never sees this cache. Bounded in bytes; the oldest entries go first.

export class PayloadCache {
  private entries = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  static key(projectId: number, eventId: string): string {
    return `${projectId}:${eventId}`;
  }

  set(key: string, payload: string): void {
    if (payload.length > this.maxBytes / 8) return;
    const old = this.entries.get(key);
    if (old !== undefined) this.bytes -= old.length;
    this.entries.set(key, payload);
    this.bytes += payload.length;
    while (this.bytes > this.maxBytes) {
      const [k, v] = this.entries.entries().next().value as [string, string];
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  /** Returns and removes the payload. */
  take(key: string): string | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      this.entries.delete(key);
      this.bytes -= v.length;
    }
    return v;
  }

  get size(): number {
    return this.entries.size;
  }
}
