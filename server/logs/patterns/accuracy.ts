// Scoring a grouping against labels (Loghub's structured CSVs): used by the accuracy test and
// the benchmark. Pure: callers read the files.

/**
 * Grouping Accuracy (Zhu et al., ICSE-SEIP 2019): a line is right when its predicted group
 * holds exactly the lines of its true group; GA = right lines / all lines.
 */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length !== truth.length) throw new Error('groupingAccuracy: lengths differ');
  if (predicted.length === 0) return 1;
  const truthSize = new Map<string, number>();
  const byPredicted = new Map<string, Map<string, number>>();
  for (let i = 0; i < predicted.length; i++) {
    truthSize.set(truth[i], (truthSize.get(truth[i]) ?? 0) + 1);
    let m = byPredicted.get(predicted[i]);
    if (!m) byPredicted.set(predicted[i], (m = new Map()));
    m.set(truth[i], (m.get(truth[i]) ?? 0) + 1);
  }
  let right = 0;
  for (const m of byPredicted.values()) {
    if (m.size !== 1) continue;
    const [t, n] = m.entries().next().value as [string, number];
    if (truthSize.get(t) === n) right += n;
  }
  return right / predicted.length;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface LabeledLine {
  content: string;
  eventId: string;
}

/** The Content and EventId columns of a Loghub `*_structured.csv`, in file order. */
export function loghubLines(csv: string): LabeledLine[] {
  const [header, ...rows] = parseCsv(csv);
  const content = header.indexOf('Content');
  const event = header.indexOf('EventId');
  if (content < 0 || event < 0) throw new Error('loghubLines: no Content or EventId column');
  return rows.filter((r) => r.length === header.length).map((r) => ({ content: r[content], eventId: r[event] }));
}
