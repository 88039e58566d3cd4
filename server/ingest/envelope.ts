// The envelope byte format (protocol doc §3.1). Parsed on bytes, never on a decoded string,
// because an item's `length` counts bytes and attachments are binary.
//
//   Envelope = Headers { "\n" Item } [ "\n" ]
//   Item     = Headers "\n" Payload
//   Headers  = one line of JSON (an object)
import { IngestError } from './errors.ts';

export interface EnvelopeItem {
  header: Record<string, unknown> & { type: string };
  payload: Buffer;
}

export interface Envelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

const NL = 0x0a;
const MAX_ITEMS = 1000;

function parseHeaderLine(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new IngestError('invalid_envelope', `${what} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new IngestError('invalid_envelope', `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function isBlank(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  }
  return true;
}

export function parseEnvelope(bytes: Buffer): Envelope {
  if (bytes.length === 0) throw new IngestError('empty_body');
  let pos = 0;
  let end = bytes.indexOf(NL, pos);
  if (end < 0) end = bytes.length;
  const header = parseHeaderLine(bytes.subarray(pos, end), 'envelope header');
  pos = end + 1;

  const items: EnvelopeItem[] = [];
  while (pos < bytes.length) {
    if (isBlank(bytes, pos)) break;
    if (items.length >= MAX_ITEMS) throw new IngestError('invalid_envelope', `more than ${MAX_ITEMS} items`);
    end = bytes.indexOf(NL, pos);
    if (end < 0) end = bytes.length;
    const itemHeader = parseHeaderLine(bytes.subarray(pos, end), `item ${items.length + 1} header`);
    if (typeof itemHeader.type !== 'string' || itemHeader.type === '') {
      throw new IngestError('invalid_envelope', `item ${items.length + 1} header has no type`);
    }
    pos = end + 1;
    const length = itemHeader.length;
    let payload: Buffer;
    if (length !== undefined && length !== null) {
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
        throw new IngestError('invalid_envelope', `item ${items.length + 1} has an invalid length`);
      }
      if (pos + length > bytes.length) {
        throw new IngestError('invalid_envelope', `item ${items.length + 1} is shorter than its length ${length}`);
      }
      payload = bytes.subarray(pos, pos + length);
      pos += length;
      if (pos < bytes.length) {
        if (bytes[pos] !== NL) {
          throw new IngestError('invalid_envelope', `item ${items.length + 1} is longer than its length ${length}`);
        }
        pos += 1;
      }
    } else {
      end = bytes.indexOf(NL, pos);
      if (end < 0) end = bytes.length;
      payload = bytes.subarray(pos, end);
      pos = end + 1;
    }
    items.push({ header: itemHeader as EnvelopeItem['header'], payload });
  }
  return { header, items };
}

/**
 * Builds envelope bytes: used by tests, the bench and to hand the pipeline one shape.
 * Items get an explicit byte `length`.
 */
export function serializeEnvelope(header: Record<string, unknown>, items: Array<{ header: Record<string, unknown>; payload: string | Buffer }>): Buffer {
  const parts: Buffer[] = [Buffer.from(JSON.stringify(header))];
  for (const item of items) {
    const payload = typeof item.payload === 'string' ? Buffer.from(item.payload) : item.payload;
    parts.push(Buffer.from(`\n${JSON.stringify({ ...item.header, length: payload.length })}\n`), payload);
  }
  return Buffer.concat(parts);
}
