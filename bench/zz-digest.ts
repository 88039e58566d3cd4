// temp: fill the queue directly, then time digest steps
import { openDatabase } from '../server/db/client.ts';
import { migrate } from '../server/db/migrate.ts';
import { bootstrap } from '../server/bootstrap.ts';
import { testConfig } from '../server/config.ts';
import { QueueWriter } from '../server/pipeline/queue.ts';
import { digestBatch } from '../server/pipeline/digest.ts';
import { parseEnvelope } from '../server/ingest/envelope.ts';
import { payloadFactory } from './payload.ts';
import { createPostgresDatabase } from '../test/helpers/db.ts';
const N = Number(process.argv[2] ?? 5000), B = Number(process.argv[3] ?? 500);
const pdb = await createPostgresDatabase('zz');
const db = await openDatabase({ url: pdb.url });
await migrate(db);
await bootstrap(db, testConfig().admin, 'http://x');
const q = new QueueWriter(db, { flushMs: 0 });
const f = payloadFactory(300);
const items = [];
for (let i = 0; i < N; i++) { const env = parseEnvelope(Buffer.from(f.body(i))); items.push({ projectId: 1, kind: 'event' as const, receivedAt: new Date(), payload: env.items[0].payload.toString(), meta: { eventId: f.fields(i).id, clientIp: '1.1.1.1', client: 'sentry.javascript.node/11' } }); }
for (let i = 0; i < N; i += 500) await q.enqueue(items.slice(i, i + 500));
const times = new Map<string, number>(); const cpu = new Map<string, number>();
import { readFileSync } from 'node:fs';
const busy = () => { const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return (f[0] + f[1] + f[2] + f[5] + f[6]) / 100; };
const b0 = busy(); const c0 = process.cpuUsage();
const t0 = performance.now(); let n = 0;
for (;;) {
  const r = await db.begin(async (tx) => {
    const orig = tx.query.bind(tx);
    tx.query = (async (text: string, params?: unknown[]) => { const t = performance.now(); const c = process.cpuUsage(); const res = await orig(text, params); const cc = process.cpuUsage(c); const k = text.trim().slice(0, 30).replace(/\s+/g, ' '); times.set(k, (times.get(k) ?? 0) + performance.now() - t); cpu.set(k, (cpu.get(k) ?? 0) + (cc.user + cc.system) / 1000); return res; }) as never;
    return digestBatch(tx, B);
  });
  if (!r.claimed) break; n += r.stored;
}
const total = performance.now() - t0;
const c1 = process.cpuUsage(c0); const b1 = busy();
console.log(`node cpu ${((c1.user + c1.system) / 1e6).toFixed(2)} s, machine busy ${(b1 - b0).toFixed(2)} s => others (postgres) ${(b1 - b0 - (c1.user + c1.system) / 1e6).toFixed(2)} s`);
console.log(`${n} events in ${total.toFixed(0)} ms = ${(n / total * 1000).toFixed(0)}/s`);
let sqlTotal = 0; for (const [k, v] of [...times].sort((a, b) => b[1] - a[1])) { sqlTotal += v; console.log(v.toFixed(0).padStart(6), 'ms wall', (cpu.get(k) ?? 0).toFixed(0).padStart(6), 'ms node cpu ', k); }
console.log('sql', sqlTotal.toFixed(0), 'other (js)', (total - sqlTotal).toFixed(0));
await db.close(); await pdb.drop();
