// One queued item → everything the digest transaction writes for it. Pure CPU work, no I/O:
// normalize (protocol §5), group (§6), title/culprit/tags (§7).
import { parseClient } from '../ingest/auth.ts';
import { pgJson, pgText, pgTextOrNull } from '../db/text.ts';
import { eventDisplay, eventTags, userKey } from './eventtype.ts';
import { groupEvent, type GroupingResult } from './grouping/index.ts';
import { normalizeEvent, type NormalizedEvent } from './normalize.ts';
import { payloadText } from './payload-cache.ts';
import type { QueueMeta } from './queue.ts';

export interface QueueRow {
  id: number;
  project_id: number;
  kind: string;
  received_at: unknown;
  event_id: string | null;
  /** JSON text, or its UTF-8 bytes as the digest thread's payload cache keeps them (payload-cache.ts). */
  payload: string | Uint8Array;
  meta: string;
  attempts: number;
}

export interface PreparedEvent {
  queueId: number;
  projectId: number;
  eventId: string;
  timestamp: Date;
  received: Date;
  type: string;
  level: string;
  platform: string | null;
  environment: string | null;
  release: string | null;
  title: string;
  culprit: string;
  message: string;
  metadataJson: string;
  userKey: string | null;
  /** {id, email, username, ip_address} or null. */
  userInfoJson: string | null;
  tags: [string, string][];
  hashes: string[];
  primaryHash: string;
  groupingVersion: string;
  tagsJson: string;
  /** {version, hash, hashes, variant}, stored with the event. */
  groupingJson: string;
}

function parseDate(v: string | null | undefined): Date | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * The normalized event of a stored payload. The digest and every later read call this with the same
 * inputs (payload, envelope facts, receive time), so they see the same event.
 */
export function normalizeStored(payload: string, meta: QueueMeta, receivedAt: Date): NormalizedEvent {
  return normalizeParsed(JSON.parse(payload) as Record<string, unknown>, meta, receivedAt);
}

/** normalizeStored of a payload already parsed (by ingest). May modify `raw`. */
function normalizeParsed(raw: Record<string, unknown>, meta: QueueMeta, receivedAt: Date): NormalizedEvent {
  return normalizeEvent(raw, {
    receivedAt,
    clientIp: meta.clientIp ?? null,
    eventId: meta.eventId,
    sentAt: parseDate(meta.sentAt),
    sdkFromAuth: parseClient(meta.client),
  });
}

/**
 * The grouping components (issue_hashes.components) of a stored payload. Only needed the first time a
 * hash is seen, so the digest recomputes them then instead of carrying them for every event.
 */
export function groupingComponentsJson(payload: string, meta: QueueMeta, receivedAt: Date): string {
  const g: GroupingResult = groupEvent(normalizeStored(payload, meta, receivedAt));
  return pgJson({ variant: g.variant, variants: g.variants });
}

export function prepareEvent(row: QueueRow, receivedAt: Date, meta: QueueMeta = JSON.parse(row.meta) as QueueMeta): PreparedEvent {
  return prepareParsed(JSON.parse(payloadText(row.payload)) as Record<string, unknown>, row.project_id, meta, receivedAt, row.id);
}

/**
 * prepareEvent of a payload ingest has just parsed, before it has a queue row (queueId 0 until the
 * digest sets it): the digest of the same process then neither parses nor prepares it again (see
 * payload-cache.ts). The result is the same as prepareEvent's on the stored row. May modify `raw`.
 */
export function prepareParsed(raw: Record<string, unknown>, projectId: number, meta: QueueMeta, receivedAt: Date, queueId = 0): PreparedEvent {
  const event = normalizeParsed(raw, meta, receivedAt);
  const grouping = groupEvent(event);
  const display = eventDisplay(event);
  const tags = eventTags(event).map(([k, v]) => [pgText(k), pgText(v)] as [string, string]);
  const ts = new Date(event.timestamp * 1000);
  return {
    queueId,
    projectId,
    eventId: event.event_id,
    timestamp: ts,
    received: new Date(event.received * 1000),
    type: display.type,
    level: event.level,
    platform: pgTextOrNull(event.platform),
    environment: pgTextOrNull(event.environment),
    release: pgTextOrNull(event.release),
    title: pgText(display.title),
    culprit: pgText(display.culprit),
    message: pgText(display.message),
    metadataJson: pgJson(display.metadata),
    userKey: pgTextOrNull(userKey(event)),
    userInfoJson: event.user ? pgJson({ id: event.user.id, email: event.user.email, username: event.user.username, ip_address: event.user.ip_address }) : null,
    tags,
    hashes: grouping.hashes,
    primaryHash: grouping.hash,
    groupingVersion: grouping.version,
    tagsJson: pgJson(tags),
    groupingJson: pgJson({ version: grouping.version, hash: grouping.hash, hashes: grouping.hashes, variant: grouping.variant }),
  };
}
