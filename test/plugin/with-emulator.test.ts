/**
 * The pay-button wired to the WeChat emulator: a tap runs the BUILT functional page, the cashier
 * answers, and the outcome comes back to the host as WeChat would deliver it, on both routes.
 * The far side here is a scripted edge; the full stack runs in test/e2e.
 */
import {
  connectPluginPayment,
  createFunctionalPageRunner,
  createWx,
  installWx,
} from '../../dev/emulator';
import type { EmulatedWx, FunctionalPageRunner } from '../../dev/emulator';
import {
  connectFunctionalPages,
  navigatorTaps,
  resetNavigatorTaps,
  tapPayButton,
} from '../../dev/emulator/navigator';
import { PAY_ARGS, startEdge } from '../functional-pages/edge';
import type { Edge } from '../functional-pages/edge';
import { ensureBuilt } from '../../dev/dist';
import { loadPayButton, renderHost, waitFor } from './host';

const payButtonId = loadPayButton();

let edge: Edge;
/** The owner app's wx: the functional page runs there. */
let wx: EmulatedWx;
let runner: FunctionalPageRunner;
let uninstall: () => void;
let unplug: () => void = () => undefined;

/** The plugin's own wx at `baseLibrary`, its payments handed to the owner's functional page. */
function usePlugin(baseLibrary: string): void {
  unplug();
  const plugin = createWx({ sandboxUrl: edge.url, user: 'alice', context: 'plugin', baseLibrary });
  const uninstallPlugin = installWx(plugin);
  const disconnect = connectPluginPayment(runner, plugin);
  unplug = () => {
    disconnect();
    uninstallPlugin();
  };
}

beforeAll(() => ensureBuilt());

beforeEach(async () => {
  edge = await startEdge();
  edge.pay = () => ({ body: { ...PAY_ARGS, extraData: { via: 'functional page' } } });
  wx = createWx({ sandboxUrl: edge.url, user: 'alice' });
  uninstall = installWx(wx);
  runner = createFunctionalPageRunner({ wx, config: { apiBaseUrl: edge.url } });
  connectFunctionalPages(runner);
  // Before 2.22.1 a plugin has no wx.requestPluginPayment: the navigator route.
  usePlugin('2.21.4');
  resetNavigatorTaps();
});

afterEach(async () => {
  connectFunctionalPages(null);
  unplug();
  unplug = () => undefined;
  uninstall();
  await edge.close();
});

const PROPS = { fee: 5800, paymentArgs: { orderNo: 'ORDER20260001' } };

test('navigator route: tap → functional page → cashier → success with extraData', async () => {
  const { payButton, events } = renderHost(payButtonId, PROPS);
  tapPayButton(payButton);
  await waitFor(() => events.length > 0);
  expect(events).toEqual([
    {
      type: 'success',
      detail: { errMsg: 'requestPayment:ok', extraData: { via: 'functional page' } },
    },
  ]);
  expect(navigatorTaps()).toHaveLength(1);
  expect(runner.records[0]?.request).toEqual({ ...PROPS, version: 'develop', route: 'navigator' });
  expect(wx.emulator.roundTrips).toMatchObject({ login: 1, session: 0, pay: 1, cashier: 1 });
  expect(payButton.data.state).toBe('ready');
});

test.each([
  ['cancel', 'cancel', 'requestPayment:fail cancel'],
  ['fail', 'fail', 'requestPayment:fail insufficient balance'],
] as const)('navigator route: cashier %s → host %s', async (outcome, event, errMsg) => {
  wx.emulator.cashierOutcome = outcome;
  const { payButton, events } = renderHost(payButtonId, PROPS);
  tapPayButton(payButton);
  await waitFor(() => events.length > 0);
  expect(events).toEqual([{ type: event, detail: { errMsg } }]);
});

test('navigator route: the server refusing → host fail carrying the reason', async () => {
  edge.pay = () => ({ status: 409, body: { code: 'ORDER_NOT_PAYABLE', message: 'order is paid' } });
  const { payButton, events } = renderHost(payButtonId, PROPS);
  tapPayButton(payButton);
  await waitFor(() => events.length > 0);
  expect(events).toEqual([
    {
      type: 'fail',
      detail: {
        errMsg:
          'requestPayment:fail POST /api/orders/ORDER20260001/pay-with-login answered HTTP 409 ORDER_NOT_PAYABLE: order is paid',
      },
    },
  ]);
  expect(wx.emulator.roundTrips.cashier).toBe(0);
});

test('requestPluginPayment route: same chain, no navigator jump, double tap pays once', async () => {
  usePlugin('2.22.1');
  const { payButton, events } = renderHost(payButtonId, PROPS);
  tapPayButton(payButton);
  tapPayButton(payButton);
  await waitFor(() => events.length > 0);
  expect(events).toEqual([
    {
      type: 'success',
      detail: { errMsg: 'requestPluginPayment:ok', extraData: { via: 'functional page' } },
    },
  ]);
  expect(navigatorTaps()).toHaveLength(0);
  expect(runner.records).toHaveLength(1);
  expect(wx.emulator.roundTrips.cashier).toBe(1);
});

test('requestPluginPayment route: cashier cancel → host cancel', async () => {
  usePlugin('2.22.1');
  wx.emulator.cashierOutcome = 'cancel';
  const { payButton, events } = renderHost(payButtonId, PROPS);
  tapPayButton(payButton);
  await waitFor(() => events.length > 0);
  expect(events).toEqual([
    { type: 'cancel', detail: { errMsg: 'requestPluginPayment:fail cancel' } },
  ]);
});
