// Multi-row VALUES lists for bulk inserts of large values. postgres.js escapes every element of an
// array parameter character by character, which dominated the profile for 5 KB event payloads; as
// separate parameters the same strings travel as they are. The SQL text varies with the row count, so
// a hot path that runs it prepared keeps a few fixed row counts (see queueInsert in pipeline/queue.ts).

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
