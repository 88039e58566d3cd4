// The digest in a worker thread of its own (digest-thread.ts): its own connections to Postgres, its
// own payload cache (filled by the main thread after each queue commit), the same DigestWorker loops.
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/client.ts';
import { PayloadCache } from './payload-cache.ts';
import { DIGEST_THREAD_NAME, type DigestThreadInit, type FromDigestThread, type ToDigestThread } from './digest-thread.ts';
import { DigestWorker } from './worker.ts';

const init = workerData as DigestThreadInit;
// The thread's name where the system keeps one (Linux), so that `top -H`, `ps -L` and the benchmark's
// CPU split by thread tell it from the main thread and the runtime's helper threads.
try {
  writeFileSync('/proc/thread-self/comm', DIGEST_THREAD_NAME);
} catch {
  // not Linux: the name is only a convenience
}
const port = parentPort!;
const post = (msg: FromDigestThread) => port.postMessage(msg);

const db = await openDatabase({ url: init.databaseUrl, poolSize: init.poolSize });
const cache = new PayloadCache();
const worker = new DigestWorker(db, {
  ...init.worker,
  cache,
  threads: init.prepareThreads,
  log: (message, err) => {
    const e = err as { message?: string; stack?: string; code?: string } | undefined;
    post({ type: 'log', message, error: err === undefined ? undefined : { message: String(e?.message ?? err), stack: e?.stack, code: e?.code } });
  },
});

port.on('message', (msg: ToDigestThread) => {
  if (msg.type === 'committed') {
    for (const [key, start, end, receivedMs] of msg.events) cache.set(key, new Uint8Array(msg.bytes, start, end - start), null, receivedMs);
    worker.committed(msg.what);
  } else if (msg.type === 'stop') {
    void (async () => {
      await worker.stop();
      await db.close();
      post({ type: 'stopped' });
      port.close();
    })();
  }
});
worker.start();
post({ type: 'started' });
