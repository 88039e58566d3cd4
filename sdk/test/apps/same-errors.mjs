// The same app code reporting the same errors and logs through either SDK, for
// test/db/sdk-roundtrip.test.ts:
//   FAULTLINE_SDK=<dist dir> node same-errors.mjs faultline|sentry <dsn>
// Only `init` differs; every capture goes through the same lines below, so both SDKs see identical
// stacks, and the server must put both SDKs' events into the same issues.
import path from 'node:path';

const [which, dsn] = process.argv.slice(2);
const sdk = which === 'sentry' ? await import('@sentry/node') : await import(path.join(process.env.FAULTLINE_SDK, 'node.mjs'));
const common = { dsn, release: 'roundtrip@1.0.0', environment: 'test', enableLogs: true };
if (which === 'sentry') sdk.init({ ...common, tracesSampleRate: 0, sendClientReports: false });
else sdk.init(common);

class PaymentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentError';
  }
}
function chargeCard(orderId, amount) {
  if (amount > 0) throw new PaymentError(`Card declined for order ${orderId}`);
  return true;
}
function processPayment(orderId) {
  return chargeCard(orderId, 49.99);
}
function checkout(orderId) {
  return processPayment(orderId);
}
function reserveStock(sku, qty) {
  if (qty < 0) throw new RangeError(`Quantity ${qty} is out of range for sku ${sku}`);
  return qty;
}
function updateInventory(sku, qty) {
  return reserveStock(sku, qty);
}
function restock() {
  return updateInventory('ABC-1', -3);
}
class Cart {
  constructor(items) {
    this.items = items;
  }
  total() {
    let sum = 0;
    for (const item of this.items) sum += item.price.amount;
    return sum;
  }
}

function report(fn) {
  try {
    fn();
  } catch (err) {
    sdk.captureException(err);
  }
}

for (const order of [1001, 1002]) report(() => checkout(order));
report(() => restock());
report(() => {
  try {
    checkout(1003);
  } catch (inner) {
    throw new Error('Checkout failed for order 1003', { cause: inner });
  }
});
report(() => new Cart([{ price: null }]).total());
report(() => {
  throw 'a plain string was thrown';
});
sdk.captureMessage(`Nightly export finished with ${3} warnings`);
for (const id of [41, 42, 43]) sdk.logger.info(sdk.logger.fmt`User ${id} logged in`, { region: 'eu-west' });
sdk.logger.warn(sdk.logger.fmt`Slow query took ${1.5} seconds`, { table: 'orders' });

const ok = await sdk.flush(10_000);
console.log(ok ? 'flushed' : 'flush timed out');
