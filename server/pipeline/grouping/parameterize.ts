// Message / exception value normalization, protocol §6.6 (Sentry `parameterization.py` and
// `normalize_message_for_grouping`): keep the first two non-blank lines, then replace
// variable parts with `<name>` placeholders using one combined regex (first alternative
// wins at each position, left to right).
//
// Part of grouping config faultline:1 — changing any pattern changes hashes and needs a new
// GROUPING_VERSION.
//
// Differences from Sentry's Python regexes, on purpose:
//  - JS `\b`, `\w`, `\d` are ASCII-only (Python's are Unicode-aware).
//  - V8 backtracks without memoization, so patterns that could rescan the same run from
//    every position got a guard: `email` and `hostname` may only start where a run of their
//    characters starts, the second `duration` form only at the start of a digit run, and
//    `datetime.datetime(...)` looks at most 256 characters ahead. The guards do not change
//    what leftmost matching finds except in corner cases; they make the scan linear.

const TLDS =
  'com|net|org|jp|de|uk|fr|br|it|ru|es|me|gov|pl|ca|au|cn|co|in|nl|edu|info|eu|ch|id|at|kr|cz|mx|be|tv|se|tr|tw|al|ua|ir|vn|cl|sk|ly|cc|to|no|fi|us|pt|dk|ar|hu|tk|gr|il|news|ro|my|biz|ie|za|nz|sg|ee|th|io|xyz|pe|bg|hk|rs|lt|link|ph|club|si|site|mobi|by|cat|wiki|la|ga|xxx|cf|hr|ng|jobs|online|kz|ug|gq|ae|is|lv|pro|fm|tips|ms|sa|app';

const IPV4 = String.raw`(?:(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])\.){3}(?:25[0-5]|(?:2[0-4]|1?[0-9])?[0-9])`;
const H = '[0-9a-fA-F]{1,4}';
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?:(?::${H}){1,7}|:)`,
  `fe80:(?::[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,32}`,
  `::(?:ffff(?::0{1,4})?:)?${IPV4}`,
  `(?:${H}:){1,4}:${IPV4}\\b`,
].join('|');

const MON = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DAY = 'Sun|Mon|Tue|Wed|Thu|Fri|Sat';
const TZ = '(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z])';
const DATE = [
  // RFC822, RFC1123, RFC1123Z
  String.raw`(?:${DAY}),\s\d{1,2}\s(?:${MON})\s\d{2,4}\s\d{1,2}:\d{1,2}(?::\d{1,2})?\s(?:[-+]\d{2}[0-5]\d|${TZ})`,
  // "Mon Jan 02, 1999", "Jan 02, 1999"
  String.raw`(?:(?:${DAY})\s)?(?:${MON})\s[0-3]\d,\s\d{2,4}`,
  // RFC850
  String.raw`(?:Sun|Sunday|Mon|Monday|Tue|Tuesday|Wed|Wednesday|Thu|Thursday|Fri|Friday|Sat|Saturday),\s\d{2}-(?:${MON})-\d{2}\s\d{2}:\d{2}:\d{2}\s${TZ}`,
  // RFC3339, RFC3339Nano
  String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?(?:[+-]?\d{2}:\d{2})?`,
  // JavaScript Date.toString()
  String.raw`(?:${DAY})\s(?:${MON})\s\d{2}\s\d{4}\s\d{2}:\d{2}:\d{2}\sGMT[+-]\d{4}(?:\s\([^)]{1,64}\))?`,
  // datetimes with offset / Z, then plain ones (the offset must stay part of the date). The
  // six forms of Sentry's list share one prefix, factored out here (same matches, one scan).
  String.raw`\d{4}-?[01]\d-?[0-3]\d[\sT][0-2]\d:?[0-5]\d(?::?[0-5]\d\.\d+(?:[+-][0-2]\d:?[0-5]\d|Z)|:?[0-5]\d(?:[+-][0-2]\d:?[0-5]\d|Z)|(?:[+-][0-2]\d:?[0-5]\d|Z)|:?[0-5]\d\.\d+|:?[0-5]\d|)`,
  // kitchen clock, 12h then 24h
  String.raw`(?<!\d)(?:[1-9]|1[0-2]):[0-5]\d(?::[0-5]\d)?(?![\d:])(?:\s?[aApP][Mm])?`,
  String.raw`(?<!\d)(?:0?\d|1\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d:])`,
  // date, time
  String.raw`\d{4}-[01]\d-[0-3]\d`,
  String.raw`[0-2]\d:[0-5]\d:[0-5]\d`,
  // old formats
  String.raw`\b(?:(?:${DAY})\s+)?(?:${MON})\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4}`,
  String.raw`\b(?:(?:${DAY}),\s+)?(?:0[1-9]|[1-2]?\d|3[01])\s+(?:${MON})\s+(?:19\d{2}|[2-9]\d{3})\s+(?:2[0-3]|[0-1]\d):[0-5]\d(?::(?:60|[0-5]\d))?\s+(?:[-+]\d{2}[0-5]\d|${TZ})`,
  String.raw`datetime\.datetime\([^)\n]{0,256}\)`,
].join('|');

const EMAIL_CHARS = "A-Za-z0-9.!#$%&'*+/=?^_\\x60{|}~-";

/** Placeholder name and pattern, in precedence order (protocol §6.6). */
const PATTERNS: readonly (readonly [string, string])[] = [
  ['email', `(?<![${EMAIL_CHARS}])[${EMAIL_CHARS}]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*`],
  ['url', String.raw`\b(?:wss?|https?|ftp)://[^\s/$.?#].[^\s]*`],
  ['hostname', `(?<![\\w.-])(?:[a-zA-Z0-9-]{1,63}\\.)+?(?:${TLDS}|${TLDS.toUpperCase()})\\b`],
  ['ip', `(?<![0-9a-zA-Z_])(?:${IPV6})(?![0-9a-zA-Z])|\\b${IPV4}\\b`],
  ['traceparent', String.raw`\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\b|\b1-[0-9a-f]{8}-[0-9a-f]{24}\b`],
  ['uuid', String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`],
  ['sha1', String.raw`\b[0-9a-fA-F]{40}\b`],
  ['md5', String.raw`\b[0-9a-fA-F]{32}\b`],
  ['date', DATE],
  ['duration', String.raw`\b\d+ms|(?<!\d)\d+(?:\.\d+)?s\b`],
  ['swift_txn_id', String.raw`\btx[0-9a-f]{21}-[0-9a-f]{10}\S*`],
  ['hex', String.raw`\b0[xX][0-9a-fA-F]+\b|\b(?=[a-f]*[0-9])[0-9a-f]{8,128}\b|\b(?=[A-F]*[0-9])[0-9A-F]{8,128}\b`],
  ['git_sha', String.raw`\b(?=[a-f]*[0-9])(?=[0-9]*[a-f])[0-9a-f]{7}\b`],
  ['float', String.raw`-\d+\.\d+\b|\b\d+\.\d+\b`],
  ['int', String.raw`(?:\b|(?<!\w)-)\d{1,7}\b`],
  ['quoted_str', `(?<==)(?:'[^']+'|"[^"]+")`],
  ['bool', '(?<==)(?:True|true|False|false)'],
];

// One capturing group per pattern (everything inside is non-capturing): group i+1 tells
// which pattern matched. Numbered groups are several times cheaper than named ones here.
const PLACEHOLDERS = PATTERNS.map(([name]) => `<${name}>`);
const COMBINED = new RegExp(PATTERNS.map(([, src]) => `(${src})`).join('|'), 'g');
if (new RegExp(`${COMBINED.source}|`).exec('')!.length !== PATTERNS.length + 1) {
  throw new Error('parameterize: a pattern has a capturing group');
}

// Python str.splitlines() boundaries.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
const HAS_LINE_BREAK = /[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** The first two non-blank lines joined by "\n"; "..." appended when that changed anything. */
export function trimToTwoLines(text: string): string {
  let trimmed: string;
  if (!HAS_LINE_BREAK.test(text)) {
    trimmed = text.trim() === '' ? '' : text;
  } else {
    const kept: string[] = [];
    let start = 0;
    LINE_BREAK.lastIndex = 0;
    while (kept.length < 2) {
      const m = LINE_BREAK.exec(text);
      const end = m ? m.index : text.length;
      const line = text.slice(start, end);
      if (line.trim() !== '') kept.push(line);
      if (!m) break;
      start = m.index + m[0].length;
    }
    trimmed = kept.join('\n');
  }
  return trimmed === text ? text : `${trimmed}...`;
}

function replacePlaceholder(_match: string, ...groups: unknown[]): string {
  for (let i = 0; i < PLACEHOLDERS.length; i++) if (groups[i] !== undefined) return PLACEHOLDERS[i];
  return '';
}

/** Replaces variable parts (numbers, ids, hex, UUIDs, IPs, e-mails, dates...) with `<name>`. */
export function replaceVariables(text: string): string {
  COMBINED.lastIndex = 0;
  return text.replace(COMBINED, replacePlaceholder);
}

/** Protocol §6.6: trim to two lines, then replace variable parts with placeholders. */
export function parameterize(text: string): string {
  return replaceVariables(trimToTwoLines(text));
}
