/**
 * A third-party host takes a payment through the plugin: the consumer's page (its own AppID)
 * → the plugin's order API (signed by WeChat as coming from the consumer) → pay-button → the
 * owner's functional page (wx.login under the owner's AppID) → server → sandbox → the consumer
 * shows what the server says. On both payment routes.
 */
import { loadConsumerPage, pickUpConsumerPhone } from '../../dev/consumer-phone';
import { navigatorTaps, resetNavigatorTaps, tapPayButton } from '../../dev/emulator/navigator';
import { payButtonOf, textOf, waitForPhase } from '../../dev/pages-harness';
import { httpRequest, postJson } from '../../dev/emulator';
import { startRemoteStack } from '../../dev/remote-stack';
import type { RemoteStack } from '../../dev/remote-stack';
import type { OrderRow, SandboxOrder } from './shop-types';

let stack: RemoteStack;
let pageId: string;

beforeAll(async () => {
  pageId = loadConsumerPage();
  stack = await startRemoteStack();
}, 60_000);

afterAll(() => stack?.close());

/** The user's openid under `appid`, as the sandbox (WeChat) derives it. */
async function openidUnder(appid: string | undefined, user: string): Promise<string> {
  const minted = await postJson<{ openid: string }>(
    `${stack.sandboxUrl}/sandbox/login-code`,
    appid ? { appid, user } : { user },
  );
  return minted.openid;
}

it.each(['plugin', 'navigator'] as const)(
  'pays through the plugin from another mini program (%s route)',
  async (route) => {
    const user = `consumer-buyer-${route}`;
    resetNavigatorTaps();
    const phone = pickUpConsumerPhone(
      {
        serverUrl: stack.serverUrl,
        sandboxUrl: stack.sandboxUrl,
        consumerAppId: stack.consumerAppId,
        pluginToken: stack.pluginToken,
        user,
        route,
      },
      pageId,
    );
    try {
      const page = phone.open();
      await waitForPhase(page, 'ready');
      const orderNo = String(page.data.orderNo);
      expect(textOf(page, '#amount')).toMatch(/^¥\d+\.\d\d$/);

      tapPayButton(payButtonOf(page));
      await waitForPhase(page, 'paid', 15_000);
      expect(textOf(page, '#status')).toBe('支付成功');
      expect(phone.runner.records[0]?.request.route).toBe(
        route === 'plugin' ? 'requestPluginPayment' : 'navigator',
      );
      expect(navigatorTaps()).toHaveLength(route === 'navigator' ? 1 : 0);

      // The payer is the user under the OWNER's AppID (the functional page's wx.login), not the
      // consumer's; the order remembers which host placed it.
      const [owner, consumer] = await Promise.all([
        openidUnder(undefined, user),
        openidUnder(stack.consumerAppId, user),
      ]);
      expect(owner).not.toBe(consumer);
      const [row] = await stack.sql<OrderRow & { host_appid: string | null }>(
        'SELECT * FROM orders WHERE order_no = ?',
        orderNo,
      );
      expect(row).toMatchObject({ status: 'paid', openid: owner, host_appid: stack.consumerAppId });
      const wechat = await stack.sandboxGet<SandboxOrder>(`/sandbox/orders/${orderNo}`);
      expect(wechat).toMatchObject({ state: 'SUCCESS', payerOpenid: owner, appid: stack.appId });

      // The consumer itself never spoke to the owner's server: only the plugin did.
      expect(phone.hostWx.emulator.roundTripsByUrl).toEqual({});
      expect(
        Object.keys(phone.pluginWx.emulator.roundTripsByUrl).every((u) =>
          / \/api\/orders(\/WP\w+)?$/.test(u),
        ),
      ).toBe(true);
    } finally {
      phone.put();
    }
  },
  30_000,
);

it('a forged host signature is refused and places no order', async () => {
  const res = await httpRequest({
    method: 'POST',
    url: `${stack.serverUrl}/api/orders`,
    timeoutMs: 10_000,
    headers: {
      'content-type': 'application/json',
      referer: `https://servicewechat.com/${stack.consumerAppId}/0/page-frame.html`,
      'x-wechat-hostsign': JSON.stringify({
        noncestr: 'abc123',
        timestamp: String(Math.floor(Date.now() / 1000)),
        signature: '0'.repeat(40),
      }),
    },
    body: JSON.stringify({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }] }),
  });
  expect(res.statusCode).toBe(401);
  expect(JSON.parse(res.body)).toEqual({
    code: 'UNAUTHORIZED',
    message: expect.stringMatching(/HOSTSIGN/),
  });
});
