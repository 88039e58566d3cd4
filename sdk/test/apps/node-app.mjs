// A small Node app using the built SDK, for test/e2e/sdk-node.test.ts. The test copies it into a
// temporary folder (next to a fake node_modules/fake-lib) and runs one scenario per process:
//   FAULTLINE_SDK=<dist dir> FAULTLINE_DSN=<dsn> node node-app.mjs <scenario>
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const [scenario] = process.argv.slice(2);
const dist = process.env.FAULTLINE_SDK;
const require = createRequire(import.meta.url);
const Faultline = scenario === 'cjs' ? require(path.join(dist, 'node.cjs')) : await import(path.join(dist, 'node.mjs'));

Faultline.init({ dsn: process.env.FAULTLINE_DSN, release: 'node-app@1.0.0', environment: 'e2e' });
Faultline.setUser({ id: 'u-1' });

class PaymentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentError';
  }
}
function chargeCard(orderId) {
  throw new PaymentError(`Card declined for order ${orderId}`);
}
function runJob(jobId) {
  throw new Error(`Unhandled failure in worker job ${jobId}`);
}
const get = (url) => new Promise((resolve, reject) => http.get(url, (res) => res.resume().on('end', resolve)).on('error', reject));

switch (scenario) {
  case 'uncaught':
    setTimeout(() => runJob(77), 10);
    break;
  case 'uncaught-app-handler':
    process.on('uncaughtException', (err) => console.log(`app handled: ${err.message}`));
    setTimeout(() => runJob(78), 10);
    setTimeout(() => console.log('still running'), 300);
    break;
  case 'rejection':
    Promise.reject(new Error('Rejected promise for job 79'));
    setTimeout(() => console.log('should not get here'), 3000);
    break;
  case 'rejection-string':
    Promise.reject('plain reason');
    break;
  case 'rejection-warn':
    Promise.reject(new Error('Rejected promise for job 80'));
    setTimeout(() => console.log('still running'), 300);
    break;
  case 'breadcrumbs': {
    console.log('loading cart %d', 7);
    console.warn('cart is large');
    await get(`${process.env.ECHO_URL}/inventory?token=secret`);
    await fetch(`${process.env.ECHO_URL}/prices?token=secret`, { method: 'POST', body: '{}' });
    await fetch(`${process.env.ECHO_URL}/missing`);
    try {
      chargeCard(1001);
    } catch (err) {
      Faultline.captureException(err);
    }
    await Faultline.flush(5000);
    break;
  }
  case 'library-frame': {
    const lib = require('fake-lib');
    try {
      lib.run(() => chargeCard(1002));
    } catch (err) {
      Faultline.captureException(err);
    }
    await Faultline.flush(5000);
    break;
  }
  case 'logs-at-exit':
    Faultline.logger.info(Faultline.logger.fmt`Job ${81} started`);
    Faultline.logger.info(Faultline.logger.fmt`Job ${82} started`);
    // no flush: the SDK sends buffered logs when the event loop empties (beforeExit)
    break;
  case 'cjs':
    Faultline.captureMessage('from the CommonJS build');
    await Faultline.flush(5000);
    break;
  case 'large':
    Faultline.setExtra('rows', Array.from({ length: 8 }, (_, i) => `row ${i} `.padEnd(8000, 'x')));
    Faultline.captureMessage('large event');
    await Faultline.flush(5000);
    break;
  case 'unreachable':
    // The server is down: capture and flush must neither throw nor hang past the timeout.
    Faultline.captureMessage('nobody listens');
    console.log(`flushed: ${await Faultline.flush(3000)}`);
    break;
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
