/**
 * The built-in `<functional-page-navigator>` for miniprogram-simulate (jsdom tests only).
 * miniprogram-simulate registers it as an empty tag; this gives it WeChat's properties
 * (name, version, args) and WeChat's behaviour: a tap that reaches it opens the payment
 * functional page through the connected runner, and the outcome fires as the navigator's own
 * success / fail / cancel event. Install before loading the components that use it.
 */
import simulate from 'miniprogram-simulate';
import type { FunctionalPageRunner } from './functional-page';

let runner: FunctionalPageRunner | null = null;
let taps: Array<{ name: string; version: string; args: unknown }> = [];

/**
 * The runner taps are routed to. `null`: taps are only recorded and the test fires the
 * navigator's events itself (`navigator.dispatchEvent('success', { detail })`).
 */
export function connectFunctionalPages(next: FunctionalPageRunner | null): void {
  runner = next;
}

/** Every tap that reached a navigator (= every jump WeChat would start), oldest first. */
export function navigatorTaps(): ReadonlyArray<{ name: string; version: string; args: unknown }> {
  return taps;
}

export function resetNavigatorTaps(): void {
  taps = [];
}

/**
 * Tap a rendered pay-button where a finger would land: on its guard layer when one covers the
 * face, else on the face itself.
 */
export function tapPayButton(payButton: {
  querySelector(selector: string): { dispatchEvent(eventName: string): void } | undefined;
}): void {
  const target =
    payButton.querySelector('.pay-button__guard') ?? payButton.querySelector('.pay-button');
  if (target === undefined) throw new Error('no .pay-button inside this component');
  target.dispatchEvent('tap');
}

export function installFunctionalPageNavigator(): void {
  const definition = {
    id: 'functional-page-navigator',
    tagName: 'wx-functional-page-navigator',
    template: '<view class="wx-functional-page-navigator" bindtap="onTap"><slot/></view>',
    properties: {
      name: { type: String, value: '' },
      version: { type: String, value: 'release' },
      args: { type: Object, value: null },
    },
    methods: {
      onTap(this: WechatMiniprogram.Component.TrivialInstance) {
        const { name, version, args } = this.data as {
          name: string;
          version: string;
          args: { fee?: unknown; paymentArgs?: unknown } | null;
        };
        const fire = (event: string, detail: object) => this.triggerEvent(event, detail);
        taps.push({ name, version, args });
        if (runner === null) return;
        if (name !== 'requestPayment') {
          fire('fail', { errMsg: `navigateToFunctionalPage:fail unknown name ${name}` });
          return;
        }
        runner
          .pay({ fee: args?.fee, paymentArgs: args?.paymentArgs, version, route: 'navigator' })
          .then(
            (outcome) => fire(outcome.event, outcome.detail),
            (err: unknown) =>
              fire('fail', {
                errMsg: `requestPayment:fail ${err instanceof Error ? err.message : String(err)}`,
              }),
          );
      },
    },
  };
  simulate.load(definition as unknown as Parameters<typeof simulate.load>[0]);
}
