// Worker thread entry of the digest thread: Node 20 does not apply the main thread's TypeScript loader
// (tsx) to worker threads, so the worker registers it itself before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./digest-thread-worker.ts');
