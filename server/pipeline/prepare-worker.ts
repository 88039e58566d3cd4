// Runs prepareEvent (parse, normalize, group, present) in a worker thread for the digest, so that this
// CPU work runs beside the main thread's ingest and database traffic instead of between them.
import { parentPort } from 'node:worker_threads';
import { prepareEvent, type QueueRow } from './prepare.ts';
import type { QueueMeta } from './queue.ts';

export interface PrepareRequest {
  id: number;
  rows: Array<{ row: QueueRow; meta: QueueMeta; receivedAt: Date }>;
}

parentPort!.on('message', (req: PrepareRequest) => {
  const results = req.rows.map(({ row, meta, receivedAt }) => {
    try {
      return prepareEvent(row, receivedAt, meta);
    } catch (err) {
      return { queueId: row.id, error: String((err as Error)?.stack ?? err).slice(0, 2000) };
    }
  });
  parentPort!.postMessage({ id: req.id, results });
});
