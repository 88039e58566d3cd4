// Ingest prepares each event from its own parse (prepareParsed) and the digest of the same process
// stores that instead of preparing the queued row again (payload-cache.ts). Both must give the same
// event, or what is stored would depend on whether the cache had it.
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../server/ingest/decode.ts';
import { parseEnvelope } from '../../server/ingest/envelope.ts';
import { decodeStoreBody, parseEventJson } from '../../server/ingest/payload.ts';
import { PayloadCache } from '../../server/pipeline/payload-cache.ts';
import { prepareEvent, prepareParsed } from '../../server/pipeline/prepare.ts';
import type { QueueMeta } from '../../server/pipeline/queue.ts';
import { listFixtures } from '../helpers/fixtures.ts';

const MAX = 50 * 1024 * 1024;

/** The event payload texts of every recorded SDK request that carries an event. */
async function eventPayloads(): Promise<Array<{ file: string; text: string }>> {
  const out: Array<{ file: string; text: string }> = [];
  for (const fx of listFixtures()) {
    const body = await decodeBody(fx.body, fx.headers['content-encoding'], MAX);
    if (fx.url.includes('/envelope/') || (fx.headers['content-type'] ?? '').startsWith('application/x-sentry-envelope')) {
      for (const item of parseEnvelope(body).items) if (item.header.type === 'event') out.push({ file: fx.file, text: item.payload.toString('utf8') });
    } else if (fx.url.includes('/store/')) {
      out.push({ file: fx.file, text: await decodeStoreBody(body, MAX) });
    }
  }
  return out;
}

describe('an event prepared at ingest', () => {
  it('equals the event the digest prepares from the stored row, for every recorded SDK event', async () => {
    const payloads = await eventPayloads();
    expect(payloads.length).toBeGreaterThan(20);
    const receivedAt = new Date('2026-11-23T10:00:00.123Z');
    for (const { file, text } of payloads) {
      const meta: QueueMeta = { eventId: 'ab'.repeat(16), sentAt: '2026-11-23T10:00:00.100Z', clientIp: '10.1.2.3', client: 'sentry.python/1.0' };
      const { event, text: stored } = parseEventJson(text);
      const atIngest = prepareParsed(event, 7, meta, receivedAt, 42);
      const atDigest = prepareEvent({ id: 42, project_id: 7, kind: 'event', received_at: receivedAt, event_id: meta.eventId, payload: stored, meta: JSON.stringify(meta), attempts: 0 }, receivedAt, meta);
      expect(atIngest, file).toEqual(atDigest);
      expect(atIngest.title.length, file).toBeGreaterThan(0);
    }
  });
});

describe('PayloadCache', () => {
  it('hands an entry out once, and drops the oldest past its byte budget', () => {
    const cache = new PayloadCache(10_000);
    cache.set('1:a', 'x'.repeat(1000), null, 5);
    expect(cache.take('1:a')).toEqual({ payload: 'x'.repeat(1000), prepared: null, receivedMs: 5, bytes: 1000 });
    expect(cache.take('1:a')).toBeUndefined();
    for (let i = 0; i < 12; i++) cache.set(`1:${i}`, 'y'.repeat(1000));
    expect(cache.size).toBe(10);
    expect(cache.take('1:0')).toBeUndefined();
    expect(cache.take('1:11')?.payload).toBe('y'.repeat(1000));
  });
});
