/**
 * WeChat DevTools, development build: the functional page cannot open there, so a tap pays at
 * the local sandbox (sandbox-payer.ts) and the shop still lands on the paid result page, from
 * the server's truth. (A release build refuses instead: test/plugin/release-build.test.ts.)
 */
import { tapPayButton } from '../../dev/emulator/navigator';
import { orderNoOf, payButtonOf, textOf, waitForPhase } from '../../dev/pages-harness';
import { usePhoneStack } from './phone-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

const env = usePhoneStack({ pollDelaysMs: [100, 200, 400, 800], language: 'en_US' });

it('a purchase previewed in DevTools finishes at the sandbox and shows paid', async () => {
  const phone = env.pickUp({ user: 'devtools-preview', platform: 'devtools' });
  const confirm = phone.open('order-confirm', { items: 'TEA-LJ-250:1' });
  await waitForPhase(confirm, 'ready');
  const orderNo = orderNoOf(confirm);
  tapPayButton(payButtonOf(confirm));
  const { name, page } = await phone.followRedirect(15_000);
  expect(name).toBe('pay-result');
  await waitForPhase(page, 'paid', 15_000);
  expect(textOf(page, '#title')).toBe('Payment successful');
  // Nothing went through a functional page: the sandbox payer did the functional page's calls.
  expect(phone.runner.records).toEqual([]);
  const [row] = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
  const wechat = await env.stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
  expect(row).toMatchObject({ status: 'paid', transaction_id: wechat.transactionId });
  expect(wechat.state).toBe('SUCCESS');
}, 30_000);
