// Masking of log bodies before clustering (pattern config logs:2): every part that is
// obviously a value (numbers, ids, addresses, paths, times, key=value values...) becomes
// `<*>`, so the clustering only has to decide about the words that are left.
//
// Every rule is general: nothing here knows a particular log source. The body is split on
// whitespace and each token is masked on its own: by fast paths (words, plain numbers), else
// by one combined regex of the rules that can match the characters the token holds (first
// alternative wins at each position). Every alternative is linear: a repeated part starts
// with a character its neighbour cannot hold, and patterns that could restart inside a run
// carry a look-behind guard so they only start where the run starts (the approach of
// server/pipeline/grouping/parameterize.ts). Tokens are at most MAX_TOKEN_CHARS long (a
// longer one is data), a body is cut at MAX_BODY_CHARS and MAX_RAW_TOKENS.
//
// Changing any rule changes templates and cluster keys: bump LOG_PATTERN_VERSION.

export const WILDCARD = '<*>';

/** Characters of a body looked at; the rest is cut (templates of longer bodies end in `<*>`). */
export const MAX_BODY_CHARS = 2048;
/** Tokens kept; a longer body keeps its first MAX_TOKENS - 1 tokens and a final `<*>`. */
export const MAX_TOKENS = 64;
/** Whitespace-separated words of a body looked at (masked); the rest is cut. */
export const MAX_RAW_TOKENS = 256;
/** A token longer than this is data (a blob, a serialized value), never a constant. */
export const MAX_TOKEN_CHARS = 128;

const SPACES = /\s+/;

const MON = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const HEX4 = '[0-9a-fA-F]{1,4}';
const IPV4 = String.raw`(?:\d{1,3}\.){3}\d{1,3}`;
const GTLD = 'com|net|org|edu|gov|mil|int|info|biz|name|io|dev|app|cloud|local|lan|internal|localdomain';
const SIZE_UNIT = '[KMGTPE]i?B|[kKMG]b|B';
const TIME_UNIT = 'ms|us|µs|ns|s|sec|secs|min|mins';
const LITERAL = 'true|false|True|False|TRUE|FALSE|null|NULL|None|nil';
const WORD_UNIT = 'bytes?|seconds?|milliseconds?|microseconds?|minutes?|hours?|days?';

// Start of a value: not glued to a letter or digit on the left.
const NB = '(?<![A-Za-z0-9])';
// End of a value: not followed by a letter or digit.
const NA = '(?![A-Za-z0-9])';

// A quoted value after `=` may hold spaces (tag="View Lock"): masked over the whole body
// before it is split into tokens.
// Except the message of a structured line (logfmt `msg="request completed"`, JSON
// `"msg":"started"`): that is the constant part.
const MSG_KEY = '(?:msg|message|Msg|Message|MSG|MESSAGE)';
const NOT_MSG_KV = String.raw`(?<!(?:^|[^\w.])${MSG_KEY}=)`;
const KV_QUOTED = new RegExp(String.raw`(?<=[\w\])]=)${NOT_MSG_KV}(?:"[^"]{0,256}"|'[^']{0,256}')`, 'g');
// `"msg": "started",` split in two tokens: the value token after the key token.
const MSG_KEY_TOKEN = new RegExp(`^[{,]?"${MSG_KEY}":$`);
const QUOTED_WORD = /^"[A-Za-z_ -]*"[,}\]]*$/;

// Characters a token holds, as bits: a rule is only tried on tokens that hold the characters
// every match of it needs (the result is the same; the regex is much shorter).
const EQ = 1;
const COLON = 2;
const SLASH = 4;
const AT = 8;
const DASH = 16;
const DOT = 32;
const BSLASH = 64;
const QUOTE = 128;
const DIGIT = 256;

// Values inside one token (no spaces), in precedence order: [needs all of, pattern].
const RULES: readonly (readonly [number, string])[] = [
  // key=value: the value is masked, the key stays.
  [EQ, String.raw`(?<=[\w\])]=)${NOT_MSG_KV}[^\s,;&"'(){}\[\]<>]+`],
  // URL (any scheme), then e-mail (guard: only where a run of e-mail characters starts).
  [COLON | SLASH, String.raw`\b[A-Za-z][A-Za-z0-9+.-]{0,15}://[^\s"'<>]*`],
  [AT | DOT, String.raw`(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`],
  // UUID, MAC address, IPv6 (full or with ::, guarded), IPv4 with optional port or prefix.
  [DASH, String.raw`${NB}[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}${NA}`],
  [COLON, String.raw`${NB}[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}${NA}`],
  [DASH, String.raw`${NB}[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5}${NA}`],
  [COLON | DIGIT, String.raw`(?<![0-9a-fA-F])(?<![0-9a-fA-F]:)(?:${HEX4}:){7}${HEX4}${NA}|(?<![0-9a-fA-F])(?<![0-9a-fA-F]:)(?:${HEX4}:){1,6}:(?:${HEX4}(?::${HEX4}){0,5})?${NA}`],
  [DOT | DIGIT, String.raw`${NB}${IPV4}(?::\d{1,5}|/\d{1,2})?${NA}`],
  // Dates and times: ISO 8601 / RFC 3339, plain dates, clock times (with fractions).
  [DASH | DIGIT, String.raw`${NB}\d{4}-\d{1,2}-\d{1,2}(?:T\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?${NA}`],
  [SLASH | DIGIT, String.raw`${NB}\d{1,4}/\d{1,2}/\d{1,4}${NA}`],
  // Day, month name, year (common log format `10/Oct/2023:13:55:36`, `10-Jul-2005`).
  [DIGIT, String.raw`${NB}\d{1,2}(?:/(?:${MON})/|-(?:${MON})-)\d{4}(?::\d{2}:\d{2}:\d{2})?${NA}`],
  [COLON | DIGIT, String.raw`${NB}\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?${NA}`],
  // Host names ending in a top-level domain (two letters, or a common generic one), with a port.
  [DOT, String.raw`(?<![\w.-])(?:[A-Za-z0-9-]{1,63}\.)+(?:[a-z]{2}|${GTLD})(?::\d{1,5})?(?![\w.-])`],
  // A host name or address with a port (a name with a dot, a dash or a digit: `db-2:5432`,
  // `node7:8080`; `CurrentState:112` is a key and its value, the number is masked below).
  [COLON | DIGIT, String.raw`(?<![\w.-])(?=[\w.-]{0,252}[.\d-])[\w.-]{1,253}:\d{2,5}(?![\w.:-])`],
  // A file name with a short extension (chrome.exe, QQ.db, setup.py): a one-part path.
  [DOT, String.raw`(?<![\w./\\-])[\w-]+\.[a-z][a-z0-9]{0,3}(?![\w.(/\\-])`],
  // Windows and Unix paths (a Unix path starts with "/" not glued to a word: "and/or" stays).
  [COLON | BSLASH, String.raw`\b[A-Za-z]:\\[^\s"'<>]*`],
  [SLASH, String.raw`(?<![\w./\\-])(?:\.{1,2})?(?:/[\w.@%+~,=-]+)+/?`],
  // Hex: 0x..., and runs of hex digits with at least one digit and one letter (ids, hashes).
  [DIGIT, String.raw`${NB}0[xX][0-9a-fA-F]+${NA}`],
  [DIGIT, String.raw`${NB}(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{5,}${NA}|${NB}(?=[0-9A-F]*[0-9])(?=[0-9A-F]*[A-F])[0-9A-F]{5,}${NA}`],
  // Numbers (signed, decimal, versions), with a unit of size or time glued to them.
  [DIGIT, String.raw`${NB}[-+]?\d+(?:\.\d+)*(?:(?:${SIZE_UNIT}|${TIME_UNIT}|m|h|d)${NA})?`],
  // A long number glued to a name (tc19060, user1234): the number is a value.
  [DIGIT, String.raw`(?<=[A-Za-z])\d{2,}${NA}`],
  // A quoted value without spaces ('Active', "host.local"), not a key ("user": in JSON);
  // quoted text with spaces is kept.
  [QUOTE, String.raw`(?<![\w"'])(?<!"${MSG_KEY}":)(?:"[^"\s]{1,128}"|'[^'\s]{1,128}')(?!:)`],
];

/** The rules' patterns, in order (for tests and benchmarks). */
export const MASK_RULES: readonly string[] = RULES.map((r) => r[1]);

// One combined regex per set of characters present, built on first use (at most 2^9).
const COMBINED = new Map<number, RegExp | null>();
function combinedFor(features: number): RegExp | null {
  let re = COMBINED.get(features);
  if (re === undefined) {
    const parts = RULES.filter(([needs]) => (features & needs) === needs).map((r) => r[1]);
    re = parts.length ? new RegExp(parts.join('|'), 'g') : null;
    COMBINED.set(features, re);
  }
  return re;
}

function featuresOf(tok: string): number {
  let f = 0;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) f |= DIGIT;
    else if (c === 61) f |= EQ;
    else if (c === 58) f |= COLON;
    else if (c === 47) f |= SLASH;
    else if (c === 64) f |= AT;
    else if (c === 45) f |= DASH;
    else if (c === 46) f |= DOT;
    else if (c === 92) f |= BSLASH;
    else if (c === 34 || c === 39) f |= QUOTE;
  }
  return f;
}

// Fast paths: a token without any character a rule starts from or needs (most words of a
// line) is kept as is; digits only is a number; a word with trailing punctuation is kept.
const MAYBE_VALUE = /[0-9/\\@="'.]/;
const DIGITS = /^\d+$/;
const WORD_PUNCT = /^[A-Za-z]+[.,:;!?]+$/;
// A literal value standing alone (`false,`, `(null)`), not inside a name (`enterQuietMode(true)`).
const LITERAL_TOKEN = new RegExp(`^[^A-Za-z0-9]*(?:${LITERAL})[^A-Za-z0-9]*$`);

function maskToken(tok: string): string {
  // Data, never a constant (tokenizeLog would make it `<*>` anyway): not worth the regexes.
  if (tok.length > MAX_TOKEN_CHARS) return WILDCARD;
  if (tok.length <= 12 && LITERAL_TOKEN.test(tok)) return WILDCARD;
  if (!MAYBE_VALUE.test(tok)) return tok;
  if (DIGITS.test(tok)) return WILDCARD;
  if (WORD_PUNCT.test(tok)) return tok;
  const re = combinedFor(featuresOf(tok));
  if (re === null) return tok;
  re.lastIndex = 0;
  return tok.replace(re, WILDCARD);
}

// Names in dates (Sun Jul 10 03:55:21 2005, Fri, 07 Jul 2017) and units after a number
// (384.0 KB, 2188 bytes) belong to the value next to them; the numbers are masked anyway.
const MONTHS = new Set('Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec January February March April June July August September October November December'.split(' '));
const DAYS = new Set('Mon Tue Wed Thu Fri Sat Sun Monday Tuesday Wednesday Thursday Friday Saturday Sunday'.split(' '));
const UNITS = new Set('B KB MB GB TB PB KiB MiB GiB TiB kb Kb Mb Gb ms us µs ns s sec secs min mins byte bytes second seconds millisecond milliseconds microsecond microseconds minute minutes hour hours day days'.split(' '));
const TRAILING_PUNCT = /[,.;:)\]}]+$/;
const DAY_OF_MONTH = /^\d{1,2}(?:,|st|nd|rd|th)?$/;
const YEAR = /^\d{4},?$/;
function endsWithDigit(tok: string): boolean {
  const c = tok.charCodeAt(tok.length - 1);
  return c >= 48 && c <= 57;
}

function bare(tok: string): string {
  return tok.replace(TRAILING_PUNCT, '');
}

function isMonthInDate(raw: string[], i: number): boolean {
  const tok = raw[i];
  const c = tok.charCodeAt(0);
  if (c < 65 || c > 90 || tok.length > 10 || !MONTHS.has(bare(tok))) return false;
  const next = raw[i + 1];
  const prev = raw[i - 1];
  return (next !== undefined && DAY_OF_MONTH.test(next)) || (prev !== undefined && DAY_OF_MONTH.test(prev) && next !== undefined && YEAR.test(next));
}

/** Is the character at `i` whitespace (the split's notion of it, for the ASCII ones)? */
function isSpaceAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(s[i]));
}

/**
 * The body cut at MAX_BODY_CHARS; a token the cut goes through is left out (a half token
 * like `blk_-17` is no word of the message, and a list of values then ends the same way
 * as a shorter one).
 */
function cut(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  if (isSpaceAt(body, MAX_BODY_CHARS)) return body.slice(0, MAX_BODY_CHARS);
  let end = MAX_BODY_CHARS;
  while (end > 0 && !isSpaceAt(body, end - 1)) end--;
  // One token longer than the cut: it is data (MAX_TOKEN_CHARS), it stays as `<*>`.
  return body.slice(0, end > 0 ? end : MAX_BODY_CHARS);
}

/** The body cut at MAX_BODY_CHARS and split on whitespace, each token masked. */
function maskedTokens(body: string): string[] {
  let text = cut(body);
  if (text.includes('="') || text.includes("='")) {
    KV_QUOTED.lastIndex = 0;
    text = text.replace(KV_QUOTED, WILDCARD);
  }
  const raw = text.split(SPACES);
  // Runs of values collapse into one token, so more raw tokens than MAX_TOKENS may be needed;
  // past MAX_RAW_TOKENS the rest is cut like a body past MAX_BODY_CHARS (bounds the work).
  if (raw.length > MAX_RAW_TOKENS) raw.length = MAX_RAW_TOKENS;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const tok = raw[i];
    if (tok === '') continue;
    if (isMonthInDate(raw, i)) {
      out.push(WILDCARD);
      continue;
    }
    const c0 = tok.charCodeAt(0);
    if (c0 >= 65 && c0 <= 90 && tok.length <= 10 && DAYS.has(bare(tok)) && i + 1 < raw.length && (isMonthInDate(raw, i + 1) || (DAY_OF_MONTH.test(raw[i + 1]) && i + 2 < raw.length && isMonthInDate(raw, i + 2)))) {
      out.push(WILDCARD);
      continue;
    }
    if (i > 0 && tok.charCodeAt(0) === 34 && QUOTED_WORD.test(tok) && MSG_KEY_TOKEN.test(raw[i - 1])) {
      out.push(tok);
      continue;
    }
    if (i > 0 && tok.length <= 13 && endsWithDigit(raw[i - 1]) && UNITS.has(bare(tok))) {
      out.push(WILDCARD + tok.slice(bare(tok).length));
      continue;
    }
    out.push(maskToken(tok));
  }
  return out;
}

/** Replaces the variable parts of a (cut) log body with `<*>`; tokens joined by one space. */
export function maskLogBody(body: string): string {
  return maskedTokens(body).join(' ');
}

// A token made only of wildcards and punctuation, like `[<*>]`, `/<*>:<*>`, `(<*>),` or `#<*>`
// (`<*>` is punctuation itself, so: no letter and no digit).
const HAS_ALNUM = /[A-Za-z0-9]/;

function finishTokens(raw: readonly string[]): string[] {
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

/**
 * Splits a masked body into tokens on whitespace. A token that is only wildcards and
 * punctuation becomes `<*>`, a run of equal masked tokens becomes one (lists of values of
 * any length), and the count is capped at MAX_TOKENS (the last one then `<*>`).
 */
export function tokenizeLog(masked: string): string[] {
  return finishTokens(masked.split(SPACES));
}

/** tokenizeLog(maskLogBody(body)), in one pass. */
export function logTokens(body: string): string[] {
  return finishTokens(maskedTokens(body));
}
