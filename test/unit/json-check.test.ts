// Ingest's event check (server/ingest/json-check.ts) must accept exactly what JSON.parse accepts as an
// object: accepting more would acknowledge an event the digest cannot parse; accepting less only costs
// a parse. Checked against JSON.parse itself on edge cases, generated JSON, and real payloads mutated
// byte by byte (every byte of an event is attacker-controlled).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonObject } from '../../server/ingest/json-check.ts';
import { benchEvent } from '../../bench/payload.ts';

/** What ingest needs, as JSON.parse gives it; null where JSON.parse throws or gives no plain object. */
function byParse(bytes: Uint8Array): { eventId: unknown; type: unknown } | null {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  return { eventId: o.event_id, type: o.type };
}

const check = (text: string | Uint8Array) => checkJsonObject(typeof text === 'string' ? Buffer.from(text) : text);
const agrees = (bytes: Uint8Array) => expect(checkJsonObject(bytes), Buffer.from(bytes).toString('latin1').slice(0, 300)).toEqual(byParse(bytes));

describe('checkJsonObject', () => {
  it('reads the top-level event_id and type of an object, the last one when repeated', () => {
    expect(check('{"event_id":"abc","type":"transaction"}')).toEqual({ eventId: 'abc', type: 'transaction' });
    expect(check(' \r\n\t{ "event_id" : "a" , "event_id" : "b" } \n')).toEqual({ eventId: 'b', type: undefined });
    expect(check('{"nested":{"event_id":"x","type":"y"},"list":[{"type":"z"}]}')).toEqual({ eventId: undefined, type: undefined });
    expect(check('{"event_id":{"a":[1,2]},"type":[null,true]}')).toEqual({ eventId: { a: [1, 2] }, type: [null, true] });
    expect(check('{"event_id":12,"type":null}')).toEqual({ eventId: 12, type: null });
    expect(check('{"event_id":"\\u0061\\n\\"é"}')).toEqual({ eventId: 'a\n"é', type: undefined });
    expect(check('{"event_idx":"a","typ":"b","Type":"c"}')).toEqual({ eventId: undefined, type: undefined });
    expect(check('{}')).toEqual({ eventId: undefined, type: undefined });
  });

  it('refuses what JSON.parse refuses, and JSON that is not an object', () => {
    const refused = [
      '', ' ', '{', '}', '{"a"}', '{"a":}', '{"a":1,}', '{,"a":1}', '{"a":1 "b":2}', '{"a":[1,]}', '{"a":[,1]}', '{"a":[1 2]}',
      '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":-}', '{"a":+1}', '{"a":1e}', '{"a":1e+}', '{"a":0x10}', '{"a":Infinity}', '{"a":NaN}',
      '{"a":tru}', '{"a":nulll}', '{"a":True}', "{'a':1}", '{a:1}', '{"a":"\\x"}', '{"a":"\\u12G4"}', '{"a":"\\u12"}', '{"a":"open}',
      '{"a":"tab\there"}', '{"a":"nl\nhere"}', '{"a":1}}', '{"a":1} {}', '{"a":1}x', '{"a":[}', '{"a":{]}', '\uFEFF{}', '{"a":1}\u00a0',
      '[]', '[{"event_id":"a"}]', '"{}"', 'null', '1', 'true',
    ];
    for (const text of refused) {
      expect(check(text), text).toBeNull();
      agrees(Buffer.from(text));
    }
  });

  it('accepts every JSON number form and escape JSON.parse does', () => {
    for (const text of ['{"a":0}', '{"a":-0}', '{"a":-0.0e-0}', '{"a":1E+5}', '{"a":123.456e789}', '{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t\\uABCD\\ud800"}', '{"a":"\u007f\u2028"}']) {
      expect(check(text), text).not.toBeNull();
      agrees(Buffer.from(text));
    }
  });

  it('takes any depth of nesting without recursion', () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)},"type":"t"}`;
    expect(check(deep)).toEqual({ eventId: undefined, type: 't' });
    expect(check(`{"a":${'['.repeat(100_000)}${']'.repeat(99_999)}}`)).toBeNull();
  });

  it('agrees with JSON.parse on generated JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('event_id', 'type')), fc.jsonValue())), fc.constantFrom(0, 1, 2), (value, indent) => {
        agrees(Buffer.from(JSON.stringify(value, null, indent)));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with JSON.parse on real payloads mutated byte by byte, invalid UTF-8 included', () => {
    const base = Buffer.from(JSON.stringify({ ...benchEvent(), event_id: 'a'.repeat(32), type: 'error', note: 'é 日本 🎉' }));
    // Bytes that matter to JSON, and bytes that do not decode as UTF-8 on their own.
    const interesting = [...'{}[]":,\\/-+.0123456789eEtrufalsn x'].map((c) => c.charCodeAt(0)).concat([0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x7f, 0x80, 0xbf, 0xc3, 0xe2, 0xef, 0xf0, 0xff]);
    const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'delete', 'replace'), byte: fc.constantFrom(...interesting) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let bytes = Buffer.from(base);
        for (const { at, op, byte } of edits) {
          const i = at % (bytes.length + 1);
          if (op === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
          else if (op === 'delete') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          else if (i < bytes.length) bytes[i] = byte;
        }
        agrees(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with JSON.parse on short texts of JSON-significant bytes', () => {
    const byte = fc.constantFrom(...[...'{}[]":,\\-.01e tn'].map((c) => c.charCodeAt(0)), 0x0a, 0xc3, 0xa9);
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 12 }), (tail) => {
        agrees(Buffer.from([0x7b, ...tail]));
      }),
      { numRuns: 20_000 },
    );
  });
});
