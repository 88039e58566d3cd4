// Page code for test/e2e/sdk-browser.test.ts (a classic script; the SDK is loaded before it, as the
// IIFE build's global `Faultline` or the ESM build assigned to window.Faultline).
class PaymentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentError';
  }
}
function chargeCard(orderId) {
  throw new PaymentError('Card declined for order ' + orderId);
}
function processPayment(orderId) {
  return chargeCard(orderId);
}
function checkout(orderId) {
  return processPayment(orderId);
}
document.getElementById('buy').addEventListener('click', function onBuyClick() {
  checkout(2001);
});
document.getElementById('load').addEventListener('click', async function onLoadClick() {
  console.log('loading', { items: 2 });
  await fetch('/api/data?session=secret').then((r) => r.text());
  await new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', '/api/items');
    xhr.onloadend = resolve;
    xhr.send();
  });
  history.pushState({}, '', '/checkout');
  document.body.dataset.loaded = 'yes';
});
document.getElementById('reject').addEventListener('click', function onRejectClick() {
  Promise.reject(new Error('Rejected promise for job 78'));
});
document.getElementById('log').addEventListener('click', function onLogClick() {
  Faultline.logger.info(Faultline.logger.fmt`Cart ${7} viewed`, { items: 2 });
});
