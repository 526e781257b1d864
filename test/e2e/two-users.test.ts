/**
 * Flow 5: user B can neither see nor pay user A's order — not from a link before or after A
 * paid, not from the functional page. Before it has a payer an order opens only with the token
 * its creator's shop got; after, only for its payer.
 */
import { tapPayButton } from '../../dev/emulator/navigator';
import { orderNoOf, payButtonOf, textOf, waitForPhase } from '../../dev/pages-harness';
import { usePhoneStack } from './phone-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

const env = usePhoneStack({ pollDelaysMs: [100, 200, 300, 500, 800] });

it("user B cannot see or pay user A's order", async () => {
  const alice = env.pickUp({ user: 'alice', cashierOutcome: 'success' });
  const bob = env.pickUp({ user: 'bob', cashierOutcome: 'success' });

  // Alice places the order; Bob gets hold of the number before anyone has paid (a shared link).
  const aliceConfirm = alice.open('order-confirm', { items: 'TEA-LJ-250:1,MUG-ENAMEL:1' });
  await waitForPhase(aliceConfirm, 'ready');
  const orderNo = orderNoOf(aliceConfirm);
  // The number alone opens nothing: no remark, no amount, no pay-button for Bob.
  const bobEarly = bob.open('order-confirm', { orderNo });
  await waitForPhase(bobEarly, 'error');
  expect(textOf(bobEarly, '#error-text')).toBe('该订单属于其他微信账号。');
  expect(bobEarly.data.fee).toBe(0);
  // Nor can Bob's functional page pay it first and so make it his.
  const early = await bob.runner.beforeRequestPayment({ orderNo });
  expect(early.err?.message).toMatch(/403 FORBIDDEN/);
  expect(bob.wx.emulator.payments).toEqual([]);

  // Alice pays: the order is now hers.
  alice.use();
  tapPayButton(payButtonOf(aliceConfirm));
  const aliceResult = await alice.followRedirect();
  await waitForPhase(aliceResult.page, 'paid');
  bob.use();

  // Bob opens the order by number: refused, and no details leak into the page.
  const bobConfirm = bob.open('order-confirm', { orderNo });
  await waitForPhase(bobConfirm, 'error');
  expect(textOf(bobConfirm, '#error-text')).toBe('该订单属于其他微信账号。');
  expect(bobConfirm.data.fee).toBe(0);
  bob.wx.emulator.resetRoundTrips();
  const bobResult = bob.open('pay-result', { orderNo, outcome: 'success' });
  await waitForPhase(bobResult, 'error');
  expect(textOf(bobResult, '#error-text')).toBe('该订单属于其他微信账号。');
  expect(bobResult.data.amount).toBe('');
  // Asking again cannot change a definite no: the page offers the way back, not a retry.
  expect(bobResult.querySelector('#refresh')).toBeUndefined();
  expect(textOf(bobResult, '#back-to-shop')).toBe('返回商城');
  // A refusal is final: one read, no polling.
  expect(bob.wx.emulator.roundTripsByUrl[`GET /api/orders/${orderNo}`]).toBe(1);

  // Bob's own functional page, asked directly, is refused too.
  const attempt = await bob.runner.beforeRequestPayment({ orderNo });
  expect(attempt.err?.message).toMatch(/403|FORBIDDEN/);

  // WeChat and the server only ever saw Alice as the payer.
  const wechat = await env.stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
  const [row] = await env.stack.sql<OrderRow>('SELECT * FROM orders WHERE order_no = ?', orderNo);
  expect(wechat.payerOpenid).toBe(alice.wx.emulator.openid);
  expect(row?.openid).toBe(alice.wx.emulator.openid);
  expect(bob.wx.emulator.openid).not.toBe(alice.wx.emulator.openid);
  expect(row).toMatchObject({ status: 'paid', total: wechat.total });
}, 30_000);
