// Masking of log bodies before clustering (pattern config logs:1): every part that is
// obviously a value (numbers, ids, addresses, paths, times, key=value values...) becomes
// `<*>`, so the clustering only has to decide about the words that are left.
//
// Every rule is general: nothing here knows a particular log source. One combined regex
// scans the body once, left to right, first alternative wins at each position. Every
// alternative is linear: a repeated part starts with a character its neighbour cannot
// hold, and patterns that could restart inside a run carry a look-behind guard so they
// only start where the run starts (the approach of server/pipeline/grouping/parameterize.ts).
//
// Changing any rule changes templates and cluster keys: bump LOG_PATTERN_VERSION.

export const WILDCARD = '<*>';

/** Characters of a body looked at; the rest is cut (templates of longer bodies end in `<*>`). */
export const MAX_BODY_CHARS = 2048;
/** Tokens kept; a longer body keeps its first MAX_TOKENS - 1 tokens and a final `<*>`. */
export const MAX_TOKENS = 64;
/** A token longer than this is data (a blob, a serialized value), never a constant. */
export const MAX_TOKEN_CHARS = 128;

const MON = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const HEX4 = '[0-9a-fA-F]{1,4}';
const IPV4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
const GTLD = 'com|net|org|edu|gov|mil|int|info|biz|name|io|dev|app|cloud|local|lan|internal|localdomain';
const SIZE_UNIT = '[KMGTPE]i?B|[kKMG]b|B';
const TIME_UNIT = 'ms|us|µs|ns|s|sec|secs|min|mins';
const WORD_UNIT = 'bytes?|seconds?|milliseconds?|microseconds?|minutes?|hours?|days?';

// Start of a value: not glued to a letter or digit on the left.
const NB = '(?<![A-Za-z0-9])';
// End of a value: not followed by a letter or digit.
const NA = '(?![A-Za-z0-9])';

const RULES: readonly string[] = [
  // key=value and key="quoted value": the value is masked, the key stays.
  String.raw`(?<=[\w\]\)]=)(?:"[^"]{0,256}"|'[^']{0,256}'|[^\s,;&"'(){}\[\]<>]+)`,
  // URL (any scheme), then e-mail (guard: only where a run of e-mail characters starts).
  String.raw`\b[A-Za-z][A-Za-z0-9+.-]{0,15}://[^\s"'<>]*`,
  String.raw`(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`,
  // UUID, MAC address, IPv6 (full or with ::, guarded), IPv4 with optional port or prefix.
  String.raw`${NB}[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}${NA}`,
  String.raw`${NB}[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}${NA}`,
  String.raw`(?<![0-9a-fA-F:])(?:${HEX4}:){7}${HEX4}${NA}|(?<![0-9a-fA-F:])(?:${HEX4}:){1,6}:(?:${HEX4}(?::${HEX4}){0,5})?${NA}`,
  String.raw`${NB}${IPV4}(?::\d{1,5}|/\d{1,2})?${NA}`,
  // Dates and times: ISO 8601 / RFC 3339, syslog and ctime style, plain dates, clock times.
  String.raw`${NB}\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|\s?[+-]\d{2}:?\d{2})?)?${NA}`,
  String.raw`\b(?:(?:${DAY}),?\s+)?(?:${MON})\s+\d{1,2},?(?:\s+\d{4})?\s+\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s+\d{4})?${NA}`,
  String.raw`\b(?:(?:${DAY}),?\s+)?\d{1,2}[\s-](?:${MON})[\s-]\d{4}(?:\s+\d{1,2}:\d{2}:\d{2})?${NA}`,
  String.raw`${NB}\d{1,4}/\d{1,2}/\d{1,4}${NA}`,
  String.raw`${NB}\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?${NA}`,
  // Host names ending in a top-level domain (two letters, or a common generic one), with a port.
  String.raw`(?<![\w.-])(?:[A-Za-z0-9-]{1,63}\.)+(?:[a-z]{2}|${GTLD})(?::\d{1,5})?(?![\w.-])`,
  // Any name or address with a port.
  String.raw`(?<![\w.-])[\w.-]{1,253}:\d{2,5}(?![\w.:-])`,
  // A file name with a short extension (chrome.exe, QQ.db, setup.py): a one-part path.
  String.raw`(?<![\w./\\-])[\w-]+\.[a-z][a-z0-9]{0,3}(?![\w.(/\\-])`,
  // Windows and Unix paths (a Unix path starts with "/" not glued to a word: "and/or" stays).
  String.raw`\b[A-Za-z]:\\[^\s"'<>]*`,
  String.raw`(?<![\w./\\-])(?:\.{1,2})?(?:/[\w.@%+~,=-]+)+/?`,
  // Hex: 0x..., and runs of hex digits with at least one digit and one letter (ids, hashes).
  String.raw`${NB}0[xX][0-9a-fA-F]+${NA}`,
  String.raw`${NB}(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{5,}${NA}|${NB}(?=[0-9A-F]*[0-9])(?=[0-9A-F]*[A-F])[0-9A-F]{5,}${NA}`,
  // Numbers (signed, decimal, versions) with a unit of size or time, glued or after a space.
  String.raw`${NB}[-+]?\d+(?:\.\d+)*(?:(?:${SIZE_UNIT}|${TIME_UNIT}|m|h|d)${NA}|\s(?:${SIZE_UNIT}|${TIME_UNIT}|${WORD_UNIT})${NA})?`,
  // A long number glued to a name (tc19060, user1234): the number is a value.
  String.raw`(?<=[A-Za-z])\d{3,}${NA}`,
  // Literal values: booleans and null.
  String.raw`\b(?:true|false|True|False|TRUE|FALSE|null|NULL|None|nil)\b`,
  // A quoted value without spaces ('Active', "host.local"); quoted text with spaces is kept.
  String.raw`"[^"\s]{1,128}"|'[^'\s]{1,128}'`,
];

export const RULES_FOR_BENCH = RULES;
const COMBINED = new RegExp(RULES.join('|'), 'g');

/** Replaces the variable parts of a (cut) log body with `<*>`. */
export function maskLogBody(body: string): string {
  const text = body.length > MAX_BODY_CHARS ? body.slice(0, MAX_BODY_CHARS) : body;
  COMBINED.lastIndex = 0;
  return text.replace(COMBINED, WILDCARD);
}

// A token made only of wildcards and punctuation, like `[<*>]`, `/<*>:<*>`, `(<*>),` or `#<*>`
// (`<*>` is punctuation itself, so: no letter and no digit).
const HAS_ALNUM = /[A-Za-z0-9]/;
const SPACES = /\s+/;

/**
 * Splits a masked body into tokens on whitespace. A token that is only wildcards and
 * punctuation becomes `<*>`, a run of equal masked tokens becomes one (lists of values of
 * any length), and the count is capped.
 */
export function tokenizeLog(masked: string): string[] {
  const raw = masked.split(SPACES);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    let tok = raw[i];
    if (tok === '') continue;
    if (tok.length > MAX_TOKEN_CHARS || (tok.includes(WILDCARD) && !HAS_ALNUM.test(tok))) tok = WILDCARD;
    // a run of equal masked tokens (`<*>`, `blk_<*>` ...) is a list of values of any length
    if (out.length > 0 && out[out.length - 1] === tok && tok.includes(WILDCARD)) continue;
    if (out.length === MAX_TOKENS - 1) {
      if (out[out.length - 1] !== WILDCARD) out.push(WILDCARD);
      break;
    }
    out.push(tok);
  }
  return out;
}
