/**
 * The plugin's order API (requirePlugin('pay').createOrder / getOrder) in the plugin's own wx,
 * against the real server: typed errors for bad arguments, the server's refusals, a network
 * that is down; the order's token opens it and nothing else does.
 */
import { createWx, installWx } from '../../dev/emulator';
import { routeRequests } from '../../dev/phone';
import { startRemoteStack } from '../../dev/remote-stack';
import type { RemoteStack } from '../../dev/remote-stack';
import { API_BASE_URL } from '../../plugin/build-config';
import { PluginOrderError, createOrder, getOrder, paymentArgsFor } from '../../plugin/orders';

let stack: RemoteStack;
let uninstall: () => void = () => undefined;

beforeAll(async () => {
  stack = await startRemoteStack();
}, 60_000);
afterAll(() => stack?.close());
afterEach(() => uninstall());

function plugin(serverUrl = stack.serverUrl) {
  const wx = createWx({
    sandboxUrl: stack.sandboxUrl,
    user: 'plugin-api',
    context: 'plugin',
    hostAppId: stack.consumerAppId,
    pluginToken: stack.pluginToken,
  });
  routeRequests(wx, API_BASE_URL, serverUrl);
  uninstall = installWx(wx);
  return wx;
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a PluginOrderError');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(PluginOrderError);
      return err as PluginOrderError;
    },
  );

it('creates an order priced by the server and reads it back with its token', async () => {
  plugin();
  const order = await createOrder([{ sku: 'MUG-ENAMEL', quantity: 2 }]);
  expect(order.total).toBeGreaterThan(0);
  expect(order.hostAppId).toBe(stack.consumerAppId);
  const ref = paymentArgsFor(order);
  expect(Object.keys(ref).sort()).toEqual(['orderNo', 'orderToken']);
  expect(await getOrder(ref)).toMatchObject({ orderNo: order.orderNo, status: 'pending' });
  const wrong = await failure(getOrder({ ...ref, orderToken: 'A'.repeat(43) }));
  expect([wrong.code, wrong.status]).toEqual(['FORBIDDEN', 403]);
});

it.each([
  ['no items', []],
  ['a fractional quantity', [{ sku: 'MUG-ENAMEL', quantity: 1.5 }]],
  ['a missing sku', [{ quantity: 1 }]],
])('refuses %s before any request', async (_name, items) => {
  const wx = plugin();
  const err = await failure(createOrder(items as never));
  expect(err.code).toBe('INVALID_ARGUMENT');
  expect(wx.emulator.roundTrips.other).toBe(0);
});

it("passes the server's refusal on as its code", async () => {
  plugin();
  const err = await failure(createOrder([{ sku: 'NO-SUCH-SKU', quantity: 1 }]));
  expect([err.code, err.status]).toEqual(['VALIDATION_ERROR', 400]);
});

it('a network that is down is NETWORK, after one retry with the same key', async () => {
  const wx = plugin('http://127.0.0.1:9');
  const err = await failure(createOrder([{ sku: 'MUG-ENAMEL', quantity: 1 }]));
  expect(err.code).toBe('NETWORK');
  expect(wx.emulator.roundTrips.other).toBe(2);
});
