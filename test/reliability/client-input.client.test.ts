/**
 * Bad input on the WeChat side, generated (fast-check): the pay-button's properties and the
 * functional page's `paymentArgs`. Every generated case is counted in the suite's table.
 *
 * pay-button: whatever a host binds, a value the button cannot charge shows the invalid state
 * (grey, "—", the reason under it and in its label, one warning per bad value) and a tap
 * starts nothing on any route: no navigator jump, no `wx.requestPluginPayment`, no DevTools
 * modal, no request, no host event, and nothing thrown (exparser catches an observer's throw
 * and logs it with console.error, so console.error is watched too). Three buttons take every
 * case: the navigator route (base library < 2.22.1), the requestPluginPayment route and
 * DevTools. Their payments go to a real functional-page runner whose network is a closed
 * port, so a payment that slipped through would show up in its records and round trips.
 *
 * beforeRequestPayment (the BUILT page, loaded as WeChat loads it): any `paymentArgs` that is
 * not `{ orderNo, orderToken? }` of the right shapes gets exactly one answer, at once, with
 * `code: 'INVALID_PAYMENT_ARGS'`, no round trip, and never the order token (a secret) in it.
 */
import fc from 'fast-check';
import { ensureBuilt } from '../../dev/dist';
import {
  connectPluginPayment,
  createFunctionalPageRunner,
  createWx,
  installWx,
  loadFunctionalPage,
} from '../../dev/emulator';
import type { CreateWxOptions, EmulatedWx, FunctionalPageRunner } from '../../dev/emulator';
import {
  connectFunctionalPages,
  navigatorTaps,
  resetNavigatorTaps,
  tapPayButton,
} from '../../dev/emulator/navigator';
import { routeRequests } from '../../dev/phone';
import { SANDBOX_URL } from '../../plugin/build-config';
import { CURRENCY_SYMBOLS, MAX_FEE } from '../../plugin/index';
import { classOf, loadPayButton, renderHost, settle, textOf, waitFor } from '../plugin/host';
import { useTally } from './tally';

const tally = useTally('bad input', '-');

// A property is hundreds of cases; on a loaded machine one can take several seconds.
jest.setTimeout(60_000);

/** Generated cases per property (the suite asks for at least 200). */
const RUNS = 300;
/** Nothing listens here: a request that slips through fails fast and is still counted. */
const CLOSED = 'http://127.0.0.1:9';

// The contract, written out here rather than imported, so the oracle is not the code under test.
const VERSIONS = ['release', 'trial', 'develop'];
const CURRENCIES: Record<string, string> = {
  CNY: '¥',
  USD: 'US$',
  JPY: 'J¥',
  EUR: '€',
  HKD: 'HK$',
  GBP: '£',
  AUD: 'A$',
  MOP: 'MOP$',
  KRW: '₩',
};
const ORDER_NO = /^[A-Za-z0-9_\-*|]{6,32}$/;
const ORDER_TOKEN = /^[A-Za-z0-9_-]{43}$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isGoodFee = (v: unknown) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_FEE;
const isGoodCurrency = (v: unknown) => typeof v === 'string' && Object.hasOwn(CURRENCIES, v);
/**
 * What a String property holds when bound to another type: miniprogram-simulate converts with
 * String() (a symbol becomes ''). Generated non-strings whose string is valid are left out.
 */
const asBound = (v: unknown): string | undefined => {
  if (typeof v === 'symbol') return '';
  try {
    return String(v);
  } catch {
    // An object without toString (a null prototype) cannot be bound at all: left out.
    return undefined;
  }
};

/** `¥1,234,567.89` for 123456789 fen, computed independently of the plugin's formatFee. */
function priceOf(fee: number, currency: string): string {
  const yuan = Math.floor(fee / 100).toLocaleString('en-US');
  return `${CURRENCIES[currency]}${yuan}.${String(fee % 100).padStart(2, '0')}`;
}

/**
 * Runs a property, counts every generated case in the tally (all but the failing one held
 * when it fails), then fails the test with fast-check's report (seed and counterexample).
 */
async function holds<Ts>(
  name: string,
  property: fc.IAsyncProperty<Ts>,
  runs = RUNS,
): Promise<void> {
  const details = await fc.check(property, { numRuns: runs });
  tally.add(details.numRuns, details.failed ? details.numRuns - 1 : details.numRuns, name);
  if (details.failed) {
    const cause = details.errorInstance;
    const why = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    throw new Error(`${fc.defaultReportMessage(details) ?? name}\n\n${why}`);
  }
  expect(details.numRuns).toBe(runs);
}

// ---- generators: pay-button properties ----

const goodFee = fc.integer({ min: 1, max: MAX_FEE });
const nearFee = goodFee; // a valid amount, dressed up as something else below

const badFee: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    0,
    -0,
    -1,
    NaN,
    Infinity,
    -Infinity,
    MAX_FEE + 1,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
    0.1 + 0.2,
    1e21,
    null,
    undefined,
    '',
    true,
    false,
    [],
    {},
  ),
  fc.integer({ max: 0 }), // zero and negative
  fc.integer({ min: MAX_FEE + 1 }), // above the limit
  fc.double({ min: MAX_FEE + 1 }), // huge numbers, up to Infinity
  fc.double({ max: 0 }), // negative doubles, -Infinity
  fc.double().filter((n) => !Number.isInteger(n)), // fractions, NaN, ±Infinity
  nearFee.map((n) => n + 0.5),
  nearFee.map((n) => n - Number.EPSILON * n).filter((n) => !Number.isInteger(n)),
  nearFee.map((n) => String(n)), // "100"
  nearFee.map((n) => `${n}.00`),
  nearFee.map((n) => [n]),
  nearFee.map((n) => ({ fee: n })),
  nearFee.map((n) => BigInt(n)), // an amount in fen as a bigint
  fc.bigInt(),
  fc.string(),
  fc.boolean(),
  fc.anything().filter((v) => !isGoodFee(v)),
);

const goodPaymentArgs: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, {}),
  fc.record(
    {
      orderNo: fc.stringMatching(ORDER_NO),
      orderToken: fc.stringMatching(ORDER_TOKEN),
    },
    { requiredKeys: ['orderNo'] },
  ),
  // Keys other than __proto__: a setData copy of that key is the framework's business.
  fc.object({ key: fc.string().filter((k) => k !== '__proto__'), maxDepth: 2 }),
);

const badPaymentArgs: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>('', 'ORDER20260001', '{"orderNo":"ORDER20260001"}', 0, NaN, true, []),
  fc.stringMatching(ORDER_NO).map((orderNo) => [{ orderNo }]),
  fc.stringMatching(ORDER_NO).map((orderNo) => [orderNo]),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.bigInt(),
  fc.array(fc.anything(), { maxLength: 5 }),
);

const nonStrings = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.object({ maxDepth: 1 }),
  fc.array(fc.string(), { maxLength: 3 }),
);

/** Invalid `version`; null / undefined are left out (whether WeChat then applies the default is WeChat's). */
const badVersion: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    'Release',
    'RELEASE',
    ' release',
    'release ',
    'release\n',
    'release\u0000',
    'ｒｅｌｅａｓｅ',
    'beta',
    'prod',
    'dev',
    'toString',
    '__proto__',
    'constructor',
  ),
  fc.constantFrom(...VERSIONS).map((v) => v.toUpperCase()),
  fc.string().filter((s) => !VERSIONS.includes(s)),
  fc.string({ unit: 'grapheme' }).filter((s) => !VERSIONS.includes(s)),
  nonStrings.filter((v) => {
    const bound = asBound(v);
    return bound !== undefined && !VERSIONS.includes(bound);
  }),
);

/** Invalid `currencyType` (null / undefined left out, as for version). */
const badCurrency: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    'cny',
    'Cny',
    ' CNY',
    'CNY ',
    'CNY\n',
    'RMB',
    'CNH',
    'XBT',
    '¥',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    '__proto__',
    'constructor',
  ),
  fc.constantFrom(...Object.keys(CURRENCIES)).map((c) => c.toLowerCase()),
  fc.string().filter((s) => !isGoodCurrency(s)),
  nonStrings.filter((v) => {
    const bound = asBound(v);
    return bound !== undefined && !isGoodCurrency(bound);
  }),
);

const label = fc.constantFrom('Pay', '支付', 'Checkout', '');

interface Props {
  fee: unknown;
  paymentArgs: unknown;
  version: unknown;
  currencyType: unknown;
  disabled: boolean;
  label: string;
}
type Field = 'fee' | 'paymentArgs' | 'version' | 'currencyType';

const goodProps = fc.record({
  fee: goodFee as fc.Arbitrary<unknown>,
  paymentArgs: goodPaymentArgs,
  version: fc.constantFrom<unknown>(...VERSIONS),
  currencyType: fc.constantFrom<unknown>(...Object.keys(CURRENCIES)),
  disabled: fc.constant(false),
  label,
});

/** Valid props (`good`), then the same with one field bad (`props`). */
const oneBad = (field: Field, bad: fc.Arbitrary<unknown>) =>
  fc.tuple(goodProps, bad, fc.boolean()).map(([good, value, disabled]) => ({
    good: good as Props,
    props: { ...good, [field]: value, disabled } as Props,
    bad: [field],
  }));

/** Each field good or bad, at least one bad. */
const someBad = fc
  .record({
    fee: fc.oneof(
      goodFee.map((v) => [v, false] as const),
      badFee.map((v) => [v, true] as const),
    ),
    paymentArgs: fc.oneof(
      goodPaymentArgs.map((v) => [v, false] as const),
      badPaymentArgs.map((v) => [v, true] as const),
    ),
    version: fc.oneof(
      fc.constantFrom<unknown>(...VERSIONS).map((v) => [v, false] as const),
      badVersion.map((v) => [v, true] as const),
    ),
    currencyType: fc.oneof(
      fc.constantFrom<unknown>(...Object.keys(CURRENCIES)).map((v) => [v, false] as const),
      badCurrency.map((v) => [v, true] as const),
    ),
    disabled: fc.boolean(),
    label,
  })
  .filter((r) => r.fee[1] || r.paymentArgs[1] || r.version[1] || r.currencyType[1])
  .map((r) => {
    const fields: Field[] = ['fee', 'paymentArgs', 'version', 'currencyType'];
    const props: Props = {
      fee: r.fee[0],
      paymentArgs: r.paymentArgs[0],
      version: r.version[0],
      currencyType: r.currencyType[0],
      disabled: r.disabled,
      label: r.label,
    };
    return { props, bad: fields.filter((f) => r[f][1]) };
  });

/** What a reason has to start with to name the field. */
const NAMES: Record<Field, RegExp> = {
  fee: /^fee /,
  paymentArgs: /^paymentArgs must be an object$/,
  version: /^version must be one of release, trial, develop, got /,
  currencyType: /^currencyType [^]* is not supported$/,
};

// ---- the buttons ----

type Rendered = ReturnType<typeof renderHost>;
type Route = 'navigator' | 'requestPluginPayment' | 'devtools';
interface Host extends Rendered {
  route: Route;
  /** The plugin's wx on this button's phone. */
  wx: EmulatedWx;
  /** The invalid reason this button last showed ('' when it could pay): it warns on a change only. */
  lastReason: string;
}

connectFunctionalPages(null);
const payButtonId = loadPayButton();

/** The plugin's wx per route: no requestPluginPayment before 2.22.1; DevTools; a current phone. */
let pluginWx: Record<Route, EmulatedWx>;
/** The owner app's wx, where the functional page runs (its network is the closed port). */
let ownerWx: EmulatedWx;
let runner: FunctionalPageRunner;
let uninstall: () => void;
/** wx.requestPluginPayment calls, per route. */
const pluginCalls: Record<Route, number> = { navigator: 0, requestPluginPayment: 0, devtools: 0 };
let warn: jest.SpyInstance;
let error: jest.SpyInstance;

/** Runs `body` with `wx` as the plugin's wx (what the button calls), then puts the last one back. */
function as<T>(wx: EmulatedWx, body: () => T): T {
  const undo = installWx(wx);
  try {
    return body();
  } finally {
    undo();
  }
}

const INITIAL: Props = {
  fee: 1,
  paymentArgs: {},
  version: 'release',
  currencyType: 'CNY',
  disabled: false,
  label: 'Pay',
};

/** One button per route with `props`, all properties bound (so each can be set later). */
function renderHosts(props: Props): Host[] {
  const bound = { ...props } as Record<string, unknown>;
  // The route is decided when the button is created, from the plugin's wx then.
  const routes: Route[] = ['navigator', 'requestPluginPayment', 'devtools'];
  return routes.map((route) => ({
    ...as(pluginWx[route], () => renderHost(payButtonId, bound)),
    route,
    wx: pluginWx[route],
    lastReason: '',
  }));
}

/**
 * Taps each button where a finger lands (its guard when one covers the face), on its own
 * phone. miniprogram-simulate runs the tap's handler on a promise job: it runs before the
 * plugin's wx is put back.
 */
async function tapAll(hosts: Host[], times = 1): Promise<void> {
  for (const host of hosts) {
    const undo = installWx(host.wx);
    try {
      for (let i = 0; i < times; i += 1) tapPayButton(host.payButton);
      for (let i = 0; i < 3; i += 1) await Promise.resolve();
    } finally {
      undo();
    }
  }
}

/** Everything a payment attempt would leave behind, anywhere. */
function traces() {
  const all = [ownerWx, ...Object.values(pluginWx)].map((w) => w.emulator);
  const sum = (count: (e: EmulatedWx['emulator']) => number) =>
    all.reduce((total, e) => total + count(e), 0);
  return {
    navigatorTaps: navigatorTaps().length,
    pluginCalls: { ...pluginCalls },
    payments: runner.records.length,
    roundTrips: sum((e) => Object.values(e.roundTrips).reduce((a, b) => a + b, 0)),
    cashier: sum((e) => e.payments.length),
    modals: sum((e) => e.modals.length),
    toasts: sum((e) => e.toasts.length),
    navigations: sum((e) => e.navigations.length),
  };
}

/** The developer's reason a button refuses (the shopper only reads that it cannot pay). */
const reasonOf = (host: Host) => String(host.payButton.data.problem);

const warning = (reason: string) => `[pay-button] payment disabled: ${reason}`;

/**
 * Sets `props` on rendered buttons, or with `fresh` takes buttons just rendered with them
 * (warnings cleared before), and checks they refuse.
 */
async function expectRefused(
  hosts: Host[],
  props: Props,
  bad: Field[],
  fresh: boolean,
): Promise<void> {
  if (fresh) {
    // Rendered one after the other: one warning each.
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual(
      hosts.map((host) => warning(reasonOf(host))),
    );
  }
  for (const host of hosts) {
    warn.mockClear();
    if (!fresh) host.root.setData({ ...props });
    const { payButton, navigator } = host;
    const data = payButton.data as Record<string, unknown>;
    expect(data.state).toBe('invalid');
    const reason = reasonOf(host);
    expect(data.notice).toBe('暂时无法支付');
    // The reason names a field that is bad, not one that is fine.
    expect(bad.some((field) => NAMES[field].test(reason))).toBe(true);
    expect(String(data.ariaLabel).endsWith('，暂时无法支付')).toBe(true);
    expect(data.faceText).toBe('—');
    expect(data.guard).toBe(true);
    expect(data.navArgs).toBeNull();
    expect(navigator.data.args).toBeNull();
    const face = payButton.querySelector('.pay-button');
    expect(classOf(face)).toContain('pay-button--invalid');
    expect(classOf(face)).not.toContain('pay-button--ready');
    expect(textOf(payButton.querySelector('.pay-button__amount'))).toBe('—');
    expect(textOf(payButton.querySelector('.pay-button__notice'))).toBe(data.notice);
    expect(payButton.querySelector('.pay-button__guard')).toBeDefined();
    expect(payButton.querySelector('.pay-button__spinner')).toBeUndefined();
    // One warning per bad value: a new reason warns once, the same one again does not.
    if (!fresh) {
      expect(warn.mock.calls.map((call) => String(call[0]))).toEqual(
        reason !== host.lastReason ? [warning(reason)] : [],
      );
    }
    host.lastReason = reason;
  }
  const before = traces();
  await tapAll(hosts, 2);
  await settle();
  expect(traces()).toEqual(before);
  for (const host of hosts) {
    expect(host.events).toEqual([]);
    expect(host.payButton.data.state).toBe('invalid');
  }
  expect(error).not.toHaveBeenCalled();
}

beforeAll(() => {
  ensureBuilt();
  const plugin = (options: Partial<CreateWxOptions>) =>
    createWx({ sandboxUrl: CLOSED, user: 'fuzz', context: 'plugin', ...options });
  pluginWx = {
    navigator: plugin({ baseLibrary: '2.21.0' }),
    requestPluginPayment: plugin({}),
    devtools: plugin({ platform: 'devtools' }),
  };
  // A development build pays at the sandbox in DevTools: here that network is closed too.
  routeRequests(pluginWx.devtools, SANDBOX_URL, CLOSED);
  expect(typeof pluginWx.navigator.requestPluginPayment).toBe('undefined');
  ownerWx = createWx({ sandboxUrl: CLOSED, user: 'fuzz', context: 'functional-page' });
  runner = createFunctionalPageRunner({ wx: ownerWx, config: { apiBaseUrl: CLOSED } });
  // Both routes really pay: a tap that got through would reach the (closed) network.
  connectFunctionalPages(runner);
  for (const route of ['requestPluginPayment', 'devtools'] as const) {
    const wx = pluginWx[route];
    connectPluginPayment(runner, wx);
    const pay = wx.requestPluginPayment as NonNullable<EmulatedWx['requestPluginPayment']>;
    wx.requestPluginPayment = (option) => {
      pluginCalls[route] += 1;
      pay(option);
    };
  }
  // Between taps the plugin runs on a current phone.
  uninstall = installWx(pluginWx.requestPluginPayment);
});

afterAll(() => {
  connectFunctionalPages(null);
  uninstall();
});

beforeEach(() => {
  resetNavigatorTaps();
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  warn.mockRestore();
  error.mockRestore();
});

describe('pay-button: properties it cannot charge', () => {
  let hosts: Host[];
  beforeAll(() => {
    hosts = renderHosts(INITIAL);
  });

  test('the contract written here is the component’s', () => {
    expect(hosts.map((h) => h.payButton.data.state)).toEqual(['ready', 'ready', 'ready']);
    expect(MAX_FEE).toBe(100_000_000);
    expect(CURRENCY_SYMBOLS).toEqual(CURRENCIES);
  });

  const single: Array<[string, Field, fc.Arbitrary<unknown>]> = [
    ['bad fee', 'fee', badFee],
    ['bad paymentArgs', 'paymentArgs', badPaymentArgs],
    ['bad version', 'version', badVersion],
    ['bad currencyType', 'currencyType', badCurrency],
  ];

  // From a button that could pay: a bad value arriving later must take that away.
  test.each(single)(
    '%s: a ready button turns invalid, a tap starts nothing',
    async (name, field, bad) => {
      await holds(
        `pay-button: ${name}`,
        fc.asyncProperty(oneBad(field, bad), async ({ good, props, bad: fields }) => {
          for (const host of hosts) {
            host.root.setData({ ...good });
            expect(host.payButton.data.state).toBe('ready');
            host.lastReason = '';
          }
          await expectRefused(hosts, props, fields as Field[], false);
        }),
      );
    },
  );

  test('bad combinations (disabled or not): invalid, a tap starts nothing', async () => {
    await holds(
      'pay-button: bad combinations',
      fc.asyncProperty(someBad, async ({ props, bad }) => {
        await expectRefused(hosts, props, bad, false);
      }),
    );
  });

  test('bad properties from the first render: invalid, a tap starts nothing', async () => {
    await holds(
      'pay-button: bad properties on first render',
      fc.asyncProperty(someBad, async ({ props, bad }) => {
        warn.mockClear();
        const fresh = renderHosts(props);
        try {
          await expectRefused(fresh, props, bad, true);
        } finally {
          for (const host of fresh) host.root.detach();
        }
      }),
      // Three buttons rendered per case: the suite's minimum, to keep the file quick.
      200,
    );
  });
});

describe('pay-button: properties it can charge (sanity)', () => {
  let hosts: Host[];
  beforeAll(() => {
    hosts = renderHosts({ ...INITIAL, fee: -1 });
  });

  test('valid fee, paymentArgs, version, currencyType: ready, shows the amount', async () => {
    await holds(
      'pay-button: valid properties are ready',
      fc.asyncProperty(goodProps, async (props) => {
        for (const host of hosts) {
          warn.mockClear();
          host.root.setData({ ...props });
          const data = host.payButton.data as Record<string, unknown>;
          const price = priceOf(props.fee as number, props.currencyType as string);
          expect(data.state).toBe('ready');
          expect(data.faceText).toBe(price);
          expect(data.notice).toBe('');
          expect(String(data.ariaLabel).endsWith(` ${price}`)).toBe(true);
          expect(data.navArgs).toEqual({ fee: props.fee, paymentArgs: props.paymentArgs ?? {} });
          expect(host.navigator.data.args).toEqual(data.navArgs);
          expect(host.navigator.data.version).toBe(props.version);
          // Only the navigator route lets the tap through to the navigator.
          expect(data.guard).toBe(host.route !== 'navigator');
          expect(classOf(host.payButton.querySelector('.pay-button'))).toContain(
            'pay-button--ready',
          );
          expect(textOf(host.payButton.querySelector('.pay-button__amount'))).toBe(price);
          expect(warn).not.toHaveBeenCalled();
          host.lastReason = '';
        }
        expect(error).not.toHaveBeenCalled();
      }),
    );
  });

  test('valid properties but disabled: disabled, a tap starts nothing', async () => {
    await holds(
      'pay-button: disabled with valid properties',
      fc.asyncProperty(goodProps, async (props) => {
        for (const host of hosts) {
          host.root.setData({ ...props, disabled: true });
          const data = host.payButton.data as Record<string, unknown>;
          expect(data.state).toBe('disabled');
          expect(data.guard).toBe(true);
          expect(String(data.ariaLabel).endsWith('，暂不可用')).toBe(true);
          expect(classOf(host.payButton.querySelector('.pay-button'))).toContain(
            'pay-button--disabled',
          );
        }
        const before = traces();
        await tapAll(hosts);
        await settle();
        expect(traces()).toEqual(before);
        for (const host of hosts) expect(host.events).toEqual([]);
        expect(warn).not.toHaveBeenCalled();
        expect(error).not.toHaveBeenCalled();
      }),
    );
  });

  test('control: with valid properties a tap does start exactly one payment per route', async () => {
    const fresh = renderHosts({ ...INITIAL, fee: 1234, paymentArgs: { orderNo: 'ORDER20260001' } });
    const [navigator, plugin, dev] = fresh as [Host, Host, Host];
    const before = traces();
    await tapAll(fresh);
    await waitFor(() => fresh.every((host) => host.events.length === 1));
    const after = traces();
    expect(after.navigatorTaps - before.navigatorTaps).toBe(1);
    expect(after.pluginCalls).toEqual({
      ...before.pluginCalls,
      requestPluginPayment: before.pluginCalls.requestPluginPayment + 1,
    });
    expect(after.payments - before.payments).toBe(2);
    expect(after.roundTrips).toBeGreaterThan(before.roundTrips);
    // DevTools (a development build) went to the sandbox payer, which reached the network.
    expect(pluginWx.devtools.emulator.roundTrips.login).toBe(1);
    expect(after.modals - before.modals).toBe(0);
    // The closed network fails all three real payments.
    expect(navigator.events[0]?.type).toBe('fail');
    expect(plugin.events[0]?.type).toBe('fail');
    expect(dev.events).toEqual([
      { type: 'fail', detail: { errMsg: expect.stringMatching(/\/sandbox\/login-code/) } },
    ]);
    for (const host of fresh) host.root.detach();
  });
});

// ---- beforeRequestPayment ----

/** Would the page take this to the network? (The generators below must never produce it.) */
function isOrderRef(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const { orderNo, orderToken } = v;
  return (
    typeof orderNo === 'string' &&
    ORDER_NO.test(orderNo) &&
    (orderToken === undefined || (typeof orderToken === 'string' && ORDER_TOKEN.test(orderToken)))
  );
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ORDER_NO_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-*|';
const from = (chars: string) => fc.constantFrom(...chars.split(''));

/** One character outside an alphabet: control, space, punctuation, look-alikes, astral, lone surrogates. */
const outsider = (chars: string) =>
  fc
    .oneof(
      fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(
        '\u007f',
        ' ',
        '\t',
        '\n',
        '\r',
        '/',
        '\\',
        '.',
        '?',
        '#',
        '%',
        '&',
        '+',
        '=',
        '"',
        "'",
        '<',
        '~',
        '\u00a0',
        '\u200b',
        '\u2028',
        '\ufeff',
        'Ａ',
        '０',
        'А', // Cyrillic A
        'é',
        '支',
        '😀',
        '\ud800',
        '\udc00',
      ),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    )
    .filter((c) => !chars.includes(c));

/** A string of `chars` with one `bad` character spliced in somewhere. */
const spliced = (chars: string, minLength: number, maxLength: number) =>
  fc
    .tuple(fc.string({ unit: from(chars), minLength, maxLength }), outsider(chars), fc.nat())
    .map(([s, bad, at]) => {
      const i = at % (s.length + 1);
      return s.slice(0, i) + bad + s.slice(i);
    });

const badOrderNo: fc.Arbitrary<unknown> = fc
  .oneof(
    fc.string({ unit: from(ORDER_NO_CHARS), maxLength: 5 }), // too short
    fc.string({ unit: from(ORDER_NO_CHARS), minLength: 33, maxLength: 120 }), // too long
    spliced(ORDER_NO_CHARS, 5, 31), // 6–32 long, one bad character
    fc.stringMatching(ORDER_NO).map((s) => `${s}\n`),
    fc.stringMatching(ORDER_NO).map((s) => `../${s}`),
    fc.string({ unit: 'grapheme', minLength: 6, maxLength: 32 }),
    fc.string({ unit: 'binary', minLength: 6, maxLength: 32 }),
    // Not a string at all.
    fc.stringMatching(ORDER_NO).map((s) => [s]),
    fc.stringMatching(ORDER_NO).map((s) => ({ orderNo: s })),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constantFrom<unknown>(null, undefined, 20260001, {}, []),
    fc.anything(),
  )
  .filter((v) => !(typeof v === 'string' && ORDER_NO.test(v)));

const goodToken = fc.string({ unit: from(B64URL), minLength: 43, maxLength: 43 });

const badToken: fc.Arbitrary<unknown> = fc
  .oneof(
    fc.string({ unit: from(B64URL), maxLength: 42 }), // too short
    fc.string({ unit: from(B64URL), minLength: 44, maxLength: 200 }), // too long
    spliced(B64URL, 42, 42), // 43 long, one bad character
    goodToken.map((t) => `${t}\n`),
    goodToken.map((t) => `${t}=`),
    goodToken.map((t) => ` ${t}`),
    goodToken.map((t) => t.replace(/[-_]/g, '+')).filter((t) => !ORDER_TOKEN.test(t)),
    fc.string({ unit: 'grapheme', minLength: 8, maxLength: 60 }),
    // Not a string at all (undefined means "no token", which is fine).
    goodToken.map((t) => [t]),
    goodToken.map((t) => ({ token: t })),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constantFrom<unknown>(null, 0, {}, []),
    fc.anything().filter((v) => v !== undefined),
  )
  .filter((v) => !(typeof v === 'string' && ORDER_TOKEN.test(v)));

/** Extra keys a host might put next to orderNo; fine for the page to ignore. */
const extras = fc.dictionary(
  fc.string().filter((k) => k !== 'orderNo' && k !== 'orderToken'),
  fc.anything(),
  { maxKeys: 3 },
);

/** Anything, often shaped like paymentArgs (keys drawn from the real ones), never a valid ref. */
const anyPaymentArgs: fc.Arbitrary<unknown> = fc
  .oneof(
    fc.anything(),
    fc.anything({
      key: fc.constantFrom('orderNo', 'orderToken', '__proto__', 'constructor', 'toString', 'x'),
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
    }),
    fc.jsonValue(),
  )
  .filter((v) => !isOrderRef(v));

describe('beforeRequestPayment: paymentArgs it must refuse', () => {
  type Callback = (err: Error | null, args?: unknown) => void;
  let pageWx: EmulatedWx;
  let beforeRequestPayment: (paymentArgs: unknown, callback: Callback) => void;
  /** Every case's answers, checked again once the property is done (a late second answer). */
  let answered: unknown[][][];

  beforeAll(() => {
    pageWx = createWx({ sandboxUrl: CLOSED, user: 'fuzz-owner', context: 'functional-page' });
    const page = loadFunctionalPage(pageWx, { config: { apiBaseUrl: CLOSED } });
    beforeRequestPayment = page.beforeRequestPayment as typeof beforeRequestPayment;
  });

  beforeEach(() => {
    answered = [];
  });

  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered.every((answers) => answers.length === 1)).toBe(true);
    expect(Object.values(pageWx.emulator.roundTrips).every((n) => n === 0)).toBe(true);
  });

  /** One call: exactly one answer, at once, INVALID_PAYMENT_ARGS, nothing on the network. */
  async function refused(paymentArgs: unknown): Promise<Error & { code?: unknown }> {
    const answers: unknown[][] = [];
    answered.push(answers);
    beforeRequestPayment(paymentArgs, (...answer) => answers.push(answer));
    // "A bad paymentArgs is answered at once, before anything goes on the network."
    expect(answers).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(answers).toHaveLength(1);
    const [err, args] = answers[0] as [unknown, unknown];
    expect(args).toBeUndefined();
    expect(err).toBeInstanceOf(Error);
    const e = err as Error & { code?: unknown };
    expect(e.code).toBe('INVALID_PAYMENT_ARGS');
    expect(e.message).toMatch(/paymentArgs/);
    expect(Object.values(pageWx.emulator.roundTrips)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(pageWx.getStorageSync('functional-pages:session')).toBe('');
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    return e;
  }

  /** Everything the error would show a developer or a log. */
  const shown = (e: Error) => [e.message, String(e), JSON.stringify({ ...e })].join('\n');

  /**
   * Refused, and a string token of 8+ characters is nowhere in the error. A token that shows
   * up in the error even when the call is made with a different token (a long bad orderNo
   * made of the same characters, say) is a coincidence, not a leak: that case is skipped.
   */
  async function refusedWithoutLeak(paymentArgs: unknown): Promise<void> {
    const e = await refused(paymentArgs);
    if (!isPlainObject(paymentArgs)) return;
    const token = paymentArgs.orderToken;
    if (typeof token !== 'string' || token.length < 8) return;
    const control = await refused({ ...paymentArgs, orderToken: '#'.repeat(token.length) });
    fc.pre(!shown(control).includes(token));
    expect(shown(e).includes(token)).toBe(false);
  }

  test('anything that is not { orderNo, orderToken? }', async () => {
    await holds(
      'beforeRequestPayment: arbitrary paymentArgs',
      fc.asyncProperty(anyPaymentArgs, async (paymentArgs) => {
        await refusedWithoutLeak(paymentArgs);
      }),
    );
  });

  test('a bad orderNo, with or without a token (never echoed)', async () => {
    await holds(
      'beforeRequestPayment: bad orderNo',
      fc.asyncProperty(
        badOrderNo,
        fc.option(fc.oneof(goodToken, badToken), { nil: undefined }),
        extras,
        async (orderNo, orderToken, extra) => {
          const args: Record<string, unknown> = { ...extra, orderNo };
          if (orderToken !== undefined) args.orderToken = orderToken;
          await refusedWithoutLeak(args);
        },
      ),
    );
  });

  test('a good orderNo with a bad orderToken (never echoed)', async () => {
    await holds(
      'beforeRequestPayment: bad orderToken',
      fc.asyncProperty(
        fc.stringMatching(ORDER_NO),
        badToken,
        extras,
        async (orderNo, orderToken, extra) => {
          await refusedWithoutLeak({ ...extra, orderNo, orderToken });
        },
      ),
    );
  });
});
