// Sends errors to a DSN with the real, unmodified @sentry/node, as an app would.
// usage: node send-with-sentry-node.mjs <dsn> <count>
import * as Sentry from '@sentry/node';

const [dsn, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 1);
Sentry.init({ dsn, release: 'e2e@1.0.0', environment: 'e2e', tracesSampleRate: 0, sendClientReports: false });

function loadInvoice(id) {
  throw new TypeError(`Invoice ${id} has no customer`);
}
function renderInvoice(id) {
  return loadInvoice(id);
}

for (let i = 0; i < count; i++) {
  try {
    renderInvoice(1000 + i);
  } catch (err) {
    Sentry.withScope((scope) => {
      scope.setUser({ id: `user-${i % 3}` });
      scope.setTag('shard', String(i % 2));
      Sentry.captureException(err);
    });
  }
}
Sentry.captureMessage('e2e message from @sentry/node');
const ok = await Sentry.flush(10_000);
console.log(ok ? 'flushed' : 'flush timed out');
process.exit(ok ? 0 : 1);
