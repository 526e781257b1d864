/**
 * WeChat's side of plugin payment: open the owner's payment functional page (the BUILT
 * dist/miniprogram/functional-pages/request-payment.js), call `beforeRequestPayment`, feed its
 * arguments to the cashier, and report success / fail / cancel the way WeChat reports them to
 * the plugin. The page is loaded the way WeChat loads it: CommonJS, `wx` of the owner app, and
 * no `require` outside its folder (WeChat refuses those; so does this loader).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestPaymentArgs } from '../../typings';
import type { EmulatedWx, PluginPaymentHandler } from './wx';

export const DEFAULT_FUNCTIONAL_PAGES_DIR = path.resolve(
  __dirname,
  '../../dist/miniprogram/functional-pages',
);
const ENTRY = 'request-payment.js';

export interface BuildConfigOverride {
  /** As MP_API_BASE_URL would set it at build time (tests point it at a server on a free port). */
  apiBaseUrl?: string;
  /** As MP_REQUEST_TIMEOUT_MS would set it (1000–60000, like the build). */
  requestTimeoutMs?: number;
}

export interface FunctionalPageOptions {
  /** The owner app's wx (login, request, requestPayment, storage). */
  wx: EmulatedWx;
  /** Build configuration the page runs with; unset fields keep what `gulp build` generated. */
  config?: BuildConfigOverride;
  distDir?: string;
  /** How long the emulated user waits on the functional page before leaving (→ cancel). */
  userPatienceMs?: number;
}

export type PaymentRoute = 'navigator' | 'requestPluginPayment';

export interface PaymentRequest {
  fee: unknown;
  paymentArgs: unknown;
  version?: unknown;
  route?: PaymentRoute;
}

export interface DeliveredOutcome {
  event: 'success' | 'fail' | 'cancel';
  detail: { errMsg?: string; extraData?: Record<string, unknown> };
}

export interface BeforeRequestPaymentResult {
  err: Error | null;
  args?: RequestPaymentArgs;
  /** How many times the page called back (WeChat uses the first; more is a bug). */
  calls: number;
  /** Set when the page threw or had no such function. */
  thrown?: Error;
}

export interface PaymentRecord {
  request: PaymentRequest;
  result?: BeforeRequestPaymentResult;
  cashierErrMsg?: string;
  outcome: DeliveredOutcome;
}

type Exports = Record<string, unknown>;

function buildConfigSource(base: Exports, override: BuildConfigOverride): string {
  const apiBaseUrl = override.apiBaseUrl ?? base.API_BASE_URL;
  const timeout = override.requestTimeoutMs ?? base.REQUEST_TIMEOUT_MS;
  if (
    typeof apiBaseUrl !== 'string' ||
    !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(apiBaseUrl) ||
    apiBaseUrl.endsWith('/')
  ) {
    throw new Error(
      `apiBaseUrl must be an http(s) URL without a trailing slash: ${String(apiBaseUrl)}`,
    );
  }
  if (
    typeof timeout !== 'number' ||
    !Number.isInteger(timeout) ||
    timeout < 1000 ||
    timeout > 60000
  ) {
    throw new Error(`requestTimeoutMs must be an integer from 1000 to 60000: ${String(timeout)}`);
  }
  return [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    `exports.API_BASE_URL = ${JSON.stringify(apiBaseUrl)};`,
    `exports.FUNCTIONAL_PAGE_VERSION = ${JSON.stringify(base.FUNCTIONAL_PAGE_VERSION)};`,
    `exports.REQUEST_TIMEOUT_MS = ${timeout};`,
  ].join('\n');
}

/**
 * Loads the functional page's module graph with WeChat's rules. Each call gets fresh module
 * instances, so runners never share state through the module cache.
 */
export function loadFunctionalPage(
  wx: EmulatedWx,
  options: { distDir?: string; config?: BuildConfigOverride } = {},
): Exports {
  const root = path.resolve(options.distDir ?? DEFAULT_FUNCTIONAL_PAGES_DIR);
  const entry = path.join(root, ENTRY);
  if (!existsSync(entry)) {
    throw new Error(
      `${path.relative(process.cwd(), entry)} is missing: build the WeChat side first (npx gulp build)`,
    );
  }
  const cache = new Map<string, { exports: Exports }>();
  const configFile = path.join(root, 'build-config.js');

  const load = (file: string, source?: string): Exports => {
    const cached = cache.get(file);
    if (cached !== undefined) return cached.exports;
    const module = { exports: {} as Exports };
    cache.set(file, module);
    const code = source ?? readFileSync(file, 'utf8');
    // new Function, not node:vm: the page must share the caller's realm (jest gives every test
    // file its own), or its Errors and Promises would not be the test's.
    const wrapper = new Function(
      'exports',
      'require',
      'module',
      '__filename',
      '__dirname',
      'wx',
      `${code}\n//# sourceURL=${file}`,
    ) as (...args: unknown[]) => void;
    const localRequire = (specifier: string): Exports => {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
        throw new Error(
          `functional page ${path.relative(root, file)} requires "${specifier}": only files inside functional-pages/ may be required`,
        );
      }
      let target = path.resolve(path.dirname(file), specifier);
      if (!target.endsWith('.js')) target += '.js';
      if (target !== root && !target.startsWith(root + path.sep)) {
        throw new Error(
          `functional page ${path.relative(root, file)} requires "${specifier}", outside functional-pages/`,
        );
      }
      if (target === configFile && options.config !== undefined) {
        const generated = load(`${configFile}#generated`, readFileSync(configFile, 'utf8'));
        return load(`${configFile}#override`, buildConfigSource(generated, options.config));
      }
      if (!existsSync(target))
        throw new Error(`functional page requires missing file ${specifier}`);
      return load(target);
    };
    wrapper(module.exports, localRequire, module, file, path.dirname(file), wx);
    return module.exports;
  };
  return load(entry);
}

const PREFIX: Record<PaymentRoute, string> = {
  navigator: 'requestPayment',
  requestPluginPayment: 'requestPluginPayment',
};

export interface FunctionalPageRunner {
  /** Everything WeChat does between the tap and the event it gives the plugin. */
  pay(request: PaymentRequest): Promise<DeliveredOutcome>;
  /** Only the owner's function, as WeChat calls it. */
  beforeRequestPayment(paymentArgs: unknown): Promise<BeforeRequestPaymentResult>;
  readonly records: PaymentRecord[];
  readonly wx: EmulatedWx;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createFunctionalPageRunner(options: FunctionalPageOptions): FunctionalPageRunner {
  const { wx } = options;
  const patience = options.userPatienceMs ?? 30_000;
  const records: PaymentRecord[] = [];

  // Loaded once, now: a missing build fails here, loudly. Any other load error is what WeChat
  // would meet when opening the page, so it becomes that payment's `fail`.
  let exports: Exports = {};
  let loadError: Error | null = null;
  try {
    exports = loadFunctionalPage(wx, {
      ...(options.distDir !== undefined ? { distDir: options.distDir } : {}),
      ...(options.config !== undefined ? { config: options.config } : {}),
    });
  } catch (err) {
    if (err instanceof Error && /is missing: build/.test(err.message)) throw err;
    loadError = err instanceof Error ? err : new Error(String(err));
  }

  function beforeRequestPayment(paymentArgs: unknown): Promise<BeforeRequestPaymentResult> {
    if (loadError !== null) {
      return Promise.resolve({ err: loadError, calls: 0, thrown: loadError });
    }
    const fn = exports.beforeRequestPayment;
    if (typeof fn !== 'function') {
      const thrown = new Error(
        'functional-pages/request-payment.js exports no beforeRequestPayment',
      );
      return Promise.resolve({ err: thrown, calls: 0, thrown });
    }
    return new Promise<BeforeRequestPaymentResult>((resolve) => {
      const result: BeforeRequestPaymentResult = { err: null, calls: 0 };
      const timer = setTimeout(() => {
        result.err = new Error(`beforeRequestPayment did not call back within ${patience} ms`);
        resolve(result);
      }, patience);
      const callback = (err: Error | null, args?: RequestPaymentArgs) => {
        result.calls += 1;
        if (result.calls > 1) return;
        clearTimeout(timer);
        result.err = err;
        if (args !== undefined) result.args = args;
        // Give a buggy page a moment to call back twice, so tests can see it.
        setTimeout(() => resolve(result), 20);
      };
      try {
        (fn as (a: unknown, cb: typeof callback) => void)(paymentArgs, callback);
      } catch (err) {
        clearTimeout(timer);
        result.thrown = err instanceof Error ? err : new Error(String(err));
        if (result.calls === 0) result.err = result.thrown;
        resolve(result);
      }
    });
  }

  function cashier(args: RequestPaymentArgs): Promise<{ ok: boolean; errMsg: string }> {
    return new Promise((resolve) => {
      wx.requestPayment({
        timeStamp: args.timeStamp,
        nonceStr: args.nonceStr,
        package: args.package,
        signType: args.signType,
        paySign: args.paySign,
        success: (res) => resolve({ ok: true, errMsg: res.errMsg }),
        fail: (res) => resolve({ ok: false, errMsg: res.errMsg }),
      });
    });
  }

  async function pay(request: PaymentRequest): Promise<DeliveredOutcome> {
    const prefix = PREFIX[request.route ?? 'navigator'];
    const record: PaymentRecord = { request, outcome: { event: 'fail', detail: {} } };
    records.push(record);
    const deliver = (outcome: DeliveredOutcome) => {
      record.outcome = outcome;
      return outcome;
    };
    const fee = request.fee;
    if (typeof fee !== 'number' || !Number.isInteger(fee) || fee <= 0) {
      return deliver({ event: 'fail', detail: { errMsg: `${prefix}:fail invalid fee` } });
    }
    if (request.paymentArgs !== undefined && !isPlainObject(request.paymentArgs)) {
      return deliver({ event: 'fail', detail: { errMsg: `${prefix}:fail invalid paymentArgs` } });
    }
    const result = await beforeRequestPayment(request.paymentArgs ?? {});
    record.result = result;
    if (result.calls === 0 && result.thrown === undefined) {
      // The user gave up waiting on the functional page and went back.
      return deliver({ event: 'cancel', detail: {} });
    }
    if (result.err !== null || result.args === undefined) {
      const reason = result.err?.message ?? 'beforeRequestPayment gave no arguments';
      return deliver({ event: 'fail', detail: { errMsg: `${prefix}:fail ${reason}` } });
    }
    const paid = await cashier(result.args);
    record.cashierErrMsg = paid.errMsg;
    const errMsg = paid.errMsg.replace(/^requestPayment:/, `${prefix}:`);
    if (!paid.ok) return deliver({ event: 'fail', detail: { errMsg } });
    const detail: DeliveredOutcome['detail'] = { errMsg };
    if (result.args.extraData !== undefined) detail.extraData = result.args.extraData;
    return deliver({ event: 'success', detail });
  }

  return { pay, beforeRequestPayment, records, wx };
}

/**
 * Puts the runner's functional page behind `wx.requestPluginPayment` of `pluginWx` (default: the
 * runner's own wx, the older one-wx set-up). A plugin-context wx has the API exactly when its
 * base library does (2.22.1+); a host-context stand-in gets it here, as if it were the plugin's.
 * Returns the undo.
 */
export function connectPluginPayment(
  runner: FunctionalPageRunner,
  pluginWx: EmulatedWx = runner.wx,
): () => void {
  const handler: PluginPaymentHandler = (option) => {
    runner
      .pay({
        fee: option.fee,
        paymentArgs: option.paymentArgs,
        version: option.version,
        route: 'requestPluginPayment',
      })
      .then(
        (outcome) => {
          const res = {
            errMsg: outcome.detail.errMsg ?? 'requestPluginPayment:fail cancel',
            ...outcome.detail,
          };
          if (outcome.event === 'success') option.success?.(res);
          else
            option.fail?.(
              outcome.event === 'cancel' ? { errMsg: 'requestPluginPayment:fail cancel' } : res,
            );
          option.complete?.(res);
        },
        (err: unknown) => {
          const res = {
            errMsg: `requestPluginPayment:fail ${err instanceof Error ? err.message : String(err)}`,
          };
          option.fail?.(res);
          option.complete?.(res);
        },
      );
  };
  pluginWx.emulator.pluginPayment = handler;
  const standIn = pluginWx.emulator.context !== 'plugin';
  if (standIn) pluginWx.requestPluginPayment = handler;
  return () => {
    pluginWx.emulator.pluginPayment = undefined;
    if (standIn) delete (pluginWx as { requestPluginPayment?: unknown }).requestPluginPayment;
  };
}
