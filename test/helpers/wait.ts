// Polling until something the tests wait for holds (a digest caught up, a file replayed, a server's
// counts): every 50 ms, failing with what was awaited (and the last error, if the check threw).

/** Resolves with `fn`'s first truthy result; an error thrown by `fn` counts as not yet. */
export async function waitFor<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
