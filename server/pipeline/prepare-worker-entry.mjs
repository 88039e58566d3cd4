// Worker thread entry: Node 20 does not apply the main thread's TypeScript loader (tsx) to worker
// threads, so the worker registers it itself before loading prepare-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
