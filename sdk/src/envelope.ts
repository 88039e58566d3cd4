// Envelopes, protocol §3: a header line, then for each item a header line and a payload line. Like
// the official JavaScript SDKs: JSON items without `length`, no trailing newline (JSON.stringify
// never writes a raw newline, so every payload is one line).

export type EnvelopeItem = [header: { type: string; [key: string]: unknown }, payload: unknown];
export type Envelope = [header: Record<string, unknown>, items: EnvelopeItem[]];

export function serializeEnvelope([header, items]: Envelope): string {
  let out = JSON.stringify(header);
  for (const [h, p] of items) out += `\n${JSON.stringify(h)}\n${typeof p === 'string' ? p : JSON.stringify(p)}`;
  return out;
}

/** Rate-limit data category of an item (protocol §4.3). */
export function itemCategory(type: string): string {
  return type === 'event' ? 'error' : type === 'log' ? 'log_item' : type === 'client_report' ? 'internal' : type === 'sessions' ? 'session' : type;
}

/** How many of its category an item counts for in client reports (a log item holds many logs). */
export function itemQuantity([header]: EnvelopeItem): number {
  return typeof header.item_count === 'number' ? header.item_count : 1;
}
