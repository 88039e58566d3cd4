// Ingest must answer 400 to an event that is not a JSON object, so it reads every event before it
// answers; the digest parses the event again anyway, in its own thread. Building ingest's objects only
// to drop them was the largest single cost of the main thread per event (perf on the event bench:
// JSON.parse was a fifth of the thread's CPU, and its objects fed the young-generation GC). This reads
// the bytes without building anything but the two top-level members ingest needs: on the bench's 4.7 KB
// event 9 µs against JSON.parse's 13, and side by side (bench:compare) the server's CPU per event went
// from 209 to 201 µs, 0.962 of the whole with Postgres.
//
// It accepts exactly the texts JSON.parse accepts as an object (test/unit/json-check.test.ts compares
// the two on mutated real payloads): a text it refuses goes to JSON.parse, which then decides and says
// why. Bytes, not a string: outside JSON strings only ASCII is valid, and inside them any byte of 0x20 and
// up is, so checking the UTF-8 bytes is checking the decoded text (a decoder never folds an ASCII byte
// into a replacement character).

/** The top-level `event_id` and `type` members of a JSON object, as JSON.parse gives them (undefined: absent). */
export interface CheckedObject {
  eventId: unknown;
  type: unknown;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OBJECT = 1;
const ARRAY = 2;

/** 1 for the bytes a JSON string holds as they are: not `"`, `\` or a control character. */
const PLAIN = new Uint8Array(256).map((_, c) => (c >= 0x20 && c !== QUOTE && c !== BACKSLASH ? 1 : 0));
/** 1 for JSON whitespace. */
const SPACE = new Uint8Array(256).map((_, c) => (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 ? 1 : 0));
/** 1 for hex digits. */
const HEX = new Uint8Array(256).map((_, c) => (/[0-9a-fA-F]/.test(String.fromCharCode(c)) ? 1 : 0));
/** 1 for the characters after a backslash that make a one-character escape: " \ / b f n r t. */
const ESCAPE = new Uint8Array(256).map((_, c) => ('"\\/bfnrt'.includes(String.fromCharCode(c)) ? 1 : 0));

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const EVENT_ID_KEY = ascii('"event_id"');
const TYPE_KEY = ascii('"type"');
const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');

function matches(b: Uint8Array, at: number, word: Uint8Array): boolean {
  if (at + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) if (b[at + k] !== word[k]) return false;
  return true;
}

function skipSpace(b: Uint8Array, i: number, n: number): number {
  while (i < n && SPACE[b[i]] === 1) i++;
  return i;
}

/** Index past the string whose opening quote is at `i`; -1 if it is no valid JSON string. */
function skipString(b: Uint8Array, i: number, n: number): number {
  i++;
  for (;;) {
    while (i < n && PLAIN[b[i]] === 1) i++;
    if (i >= n) return -1;
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) return -1; // a control character
    const e = b[i + 1];
    if (e === 0x75 /* u */) {
      if (i + 5 >= n || HEX[b[i + 2]] + HEX[b[i + 3]] + HEX[b[i + 4]] + HEX[b[i + 5]] !== 4) return -1;
      i += 6;
    } else if (i + 1 < n && ESCAPE[e] === 1) {
      i += 2;
    } else {
      return -1;
    }
  }
}

function skipDigits(b: Uint8Array, i: number, n: number): number {
  while (i < n && b[i] >= ZERO && b[i] <= NINE) i++;
  return i;
}

/** Index past the number at `i`; -1 if it is no valid JSON number. */
function skipNumber(b: Uint8Array, i: number, n: number): number {
  if (b[i] === MINUS) i++;
  if (i >= n) return -1;
  if (b[i] === ZERO) i++;
  else if (b[i] > ZERO && b[i] <= NINE) i = skipDigits(b, i + 1, n);
  else return -1;
  if (i < n && b[i] === DOT) {
    const j = skipDigits(b, i + 1, n);
    if (j === i + 1) return -1;
    i = j;
  }
  if (i < n && (b[i] === 0x65 || b[i] === 0x45) /* e E */) {
    i++;
    if (i < n && (b[i] === PLUS || b[i] === MINUS)) i++;
    const j = skipDigits(b, i, n);
    if (j === i) return -1;
    i = j;
  }
  return i;
}

/** The JSON value of bytes [start, end), known valid. */
function parseSlice(b: Uint8Array, start: number, end: number): unknown {
  return JSON.parse(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8'));
}

/**
 * The top-level members ingest needs if `b` is the UTF-8 text of a JSON object; null if it is not, or
 * may not be: the caller then parses it and reports why. Linear time and no recursion: the open
 * containers are a byte stack that grows as deep as the text nests.
 */
export function checkJsonObject(b: Uint8Array): CheckedObject | null {
  const n = b.length;
  let stack = new Uint8Array(32);
  let depth = 0;
  let eventId: unknown = undefined;
  let type: unknown = undefined;
  // The top-level member whose value is being read: 1 event_id, 2 type, 0 another.
  let member = 0;
  let valueStart = 0;

  let i = skipSpace(b, 0, n);
  if (i >= n || b[i] !== OPEN_BRACE) return null;
  stack[depth++] = OBJECT;
  i++;
  // Just after `{` or `[`: a value (a member, in an object) or the container's end.
  let afterOpen = true;
  for (;;) {
    i = skipSpace(b, i, n);
    if (i >= n) return null;
    let c = b[i];
    if (!(afterOpen && (c === CLOSE_BRACE || c === CLOSE_BRACKET))) {
      if (stack[depth - 1] === OBJECT) {
        if (c !== QUOTE) return null;
        const keyStart = i;
        i = skipString(b, i, n);
        if (i < 0) return null;
        if (depth === 1) member = matches(b, keyStart, EVENT_ID_KEY) && i - keyStart === EVENT_ID_KEY.length ? 1 : matches(b, keyStart, TYPE_KEY) && i - keyStart === TYPE_KEY.length ? 2 : 0;
        i = skipSpace(b, i, n);
        if (i >= n || b[i] !== COLON) return null;
        i = skipSpace(b, i + 1, n);
        if (i >= n) return null;
        c = b[i];
      }
      if (depth === 1) valueStart = i;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (depth === stack.length) {
          const grown = new Uint8Array(stack.length * 2);
          grown.set(stack);
          stack = grown;
        }
        stack[depth++] = c === OPEN_BRACE ? OBJECT : ARRAY;
        i++;
        afterOpen = true;
        continue;
      }
      if (c === QUOTE) i = skipString(b, i, n);
      else if (c === MINUS || (c >= ZERO && c <= NINE)) i = skipNumber(b, i, n);
      else if (c === 0x74 && matches(b, i, TRUE)) i += 4;
      else if (c === 0x66 && matches(b, i, FALSE)) i += 5;
      else if (c === 0x6e && matches(b, i, NULL)) i += 4;
      else return null;
      if (i < 0) return null;
    }
    afterOpen = false;
    // A value ended at `i` (a scalar just read, or a container just closed), or an empty container is
    // at its end: then `,` or the end of the container.
    for (;;) {
      if (depth === 1 && member !== 0) {
        // The last one wins, as in JSON.parse.
        if (member === 1) eventId = parseSlice(b, valueStart, i);
        else type = parseSlice(b, valueStart, i);
        member = 0;
      }
      i = skipSpace(b, i, n);
      if (i >= n) return null;
      const next = b[i];
      if (next === COMMA) {
        i++;
        break;
      }
      if (next !== (stack[depth - 1] === OBJECT ? CLOSE_BRACE : CLOSE_BRACKET)) return null;
      i++;
      depth--;
      if (depth === 0) return skipSpace(b, i, n) === n ? { eventId, type } : null;
    }
  }
}
