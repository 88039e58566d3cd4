// Multi-row VALUES lists for bulk inserts of large values. postgres.js escapes every element of an
// array parameter character by character, which dominated the profile for 5 KB event payloads; as
// separate parameters the same strings travel as they are. The SQL text varies with the row count, so
// a hot path that runs it prepared keeps a few fixed row counts (fixedCapacity; see queueInsert in
// pipeline/queue.ts).

/**
 * Row capacities of a prepared multi-row statement. Its text must not vary with every batch size, or
 * Postgres would parse and plan each one anew (that was 40 µs of its CPU per event in the queue insert
 * under load): a batch takes the smallest capacity that holds it, and the rest of the rows are NULL,
 * which the statement skips.
 */
export const ROW_CAPACITIES = [4, 16, 64, 256, 1024] as const;

/** The smallest capacity that holds `rows`; undefined past the largest (the statement then has `rows` rows). */
export function fixedCapacity(rows: number): number | undefined {
  return ROW_CAPACITIES.find((c) => c >= rows);
}

/** `($1::int, $2::text), ($3::int, $4::text)` for `rows` rows of the given column types, numbered from `first`. */
export function valuesList(rows: number, types: readonly string[], first = 1): string {
  const out: string[] = [];
  let n = first;
  for (let r = 0; r < rows; r++) {
    const cols: string[] = [];
    for (const t of types) cols.push(`$${n++}::${t}`);
    out.push(`(${cols.join(', ')})`);
  }
  return out.join(', ');
}
