import { payloadFactory } from './payload.ts';
import { parseEnvelope } from '../server/ingest/envelope.ts';
import { prepareEvent } from '../server/pipeline/prepare.ts';
import { normalizeEvent } from '../server/pipeline/normalize.ts';
import { groupEvent } from '../server/pipeline/grouping/index.ts';
const f = payloadFactory(300);
const payloads = Array.from({ length: 2000 }, (_, i) => parseEnvelope(Buffer.from(f.body(i))).items[0].payload.toString());
const rows = payloads.map((payload, i) => ({ id: i, project_id: 1, kind: 'event', received_at: new Date(), payload, meta: JSON.stringify({ eventId: f.fields(i).id, clientIp: '1.2.3.4', client: 'sentry.javascript.node/11' }), attempts: 0 }));
function measure(name: string, fn: () => void, n: number) {
  fn();
  const c0 = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  const c = process.cpuUsage(c0);
  console.log(name.padEnd(12), 'wall µs/event', ((performance.now() - t) * 1000 / (n * 2000)).toFixed(1), 'cpu µs/event', ((c.user + c.system) / (n * 2000)).toFixed(1));
}
measure('parse', () => { for (const r of rows) JSON.parse(r.payload); }, 5);
measure('normalize', () => { for (const r of rows) normalizeEvent(JSON.parse(r.payload), { receivedAt: new Date() }); }, 5);
measure('norm+group', () => { for (const r of rows) groupEvent(normalizeEvent(JSON.parse(r.payload), { receivedAt: new Date() })); }, 5);
measure('prepare', () => { for (const r of rows) prepareEvent(r as any, new Date()); }, 5);
measure('prepare-keep', () => { const out = []; for (const r of rows) out.push(prepareEvent(r as any, new Date())); }, 5);
