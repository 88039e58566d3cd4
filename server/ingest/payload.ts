// Event payloads: JSON parsing with the leniency real SDKs need, and the legacy /store/ body forms
// (protocol doc §2.2).
import { inflateCapped } from './decode.ts';
import { IngestError } from './errors.ts';

/**
 * sentry-python and raven-python can emit bare NaN, Infinity and -Infinity (Python's json allows them).
 * Relay rewrites them; we replace them with null, outside of strings only. Linear time.
 */
export function replaceNonFiniteTokens(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
    } else if (c === 0x4e && text.startsWith('NaN', i)) {
      out += `${text.slice(last, i)}null`;
      i += 2;
      last = i + 1;
    } else if (c === 0x49 && text.startsWith('Infinity', i)) {
      const start = i > 0 && text[i - 1] === '-' ? i - 1 : i;
      out += `${text.slice(last, start)}null`;
      i += 7;
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Parses an event payload: a JSON object, or a 400 that says why not. */
export function parseEventJson(text: string): { event: Record<string, unknown>; text: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const fixed = replaceNonFiniteTokens(text);
    if (fixed === text) throw new IngestError('invalid_json', (err as Error).message.slice(0, 200));
    try {
      value = JSON.parse(fixed);
      text = fixed;
    } catch (err2) {
      throw new IngestError('invalid_json', (err2 as Error).message.slice(0, 200));
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new IngestError('invalid_event');
  return { event: value as Record<string, unknown>, text };
}

function firstNonSpace(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  }
  return -1;
}

const BASE64 = /^[A-Za-z0-9+/=_\-\s]+$/;

/**
 * A /store/ body after HTTP content decoding: JSON if it starts with `{`; otherwise base64, which is
 * JSON or (old raven clients' "gzip" mode) zlib-compressed JSON, sent with no Content-Encoding.
 */
export async function decodeStoreBody(body: Buffer, maxOutput: number): Promise<string> {
  const first = firstNonSpace(body);
  if (first === -1) throw new IngestError('empty_body');
  // JSON: an object, or something else JSON that parseEventJson will reject with a clear message.
  if (first === 0x7b /* { */ || first === 0x5b /* [ */ || first === 0x22 /* " */) return body.toString('utf8');
  const ascii = body.toString('latin1');
  if (!BASE64.test(ascii)) throw new IngestError('invalid_json', 'body is neither JSON nor base64');
  const raw = Buffer.from(ascii, 'base64');
  if (raw.length === 0) throw new IngestError('invalid_json', 'body is neither JSON nor base64');
  if (firstNonSpace(raw) === 0x7b) return raw.toString('utf8');
  return (await inflateCapped(raw, maxOutput)).toString('utf8');
}

const HEX32 = /^[0-9a-f]{32}$/;

/** Event ids are 32 hex digits; dashes and upper case are accepted and normalized away. Null if invalid. */
export function normalizeEventId(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const id = value.replace(/-/g, '').toLowerCase();
  return HEX32.test(id) ? id : null;
}
