/**
 * Renders the plugin's pay-button inside a throwaway host component, the way a shop page uses
 * it, and records the events the host receives.
 */
import { waitFor as sharedWaitFor } from '../../dev/wait-for';
import simulate from 'miniprogram-simulate';
import { installFunctionalPageNavigator } from '../../dev/emulator/navigator';
import { loadFromTree } from '../../dev/simulate-load';

/** Once per test file: Jest's module cache makes a second load of the same path a no-op. */
export function loadPayButton(): string {
  // WeChat's built-in navigator, before the pay-button that uses it is loaded.
  installFunctionalPageNavigator();
  return loadFromTree('source', 'plugin/components/pay-button/index', { tagName: 'pay-button' });
}

export interface HostEvent {
  type: 'success' | 'fail' | 'cancel';
  detail: Record<string, unknown>;
}

const ATTRIBUTES: Record<string, string> = {
  fee: 'fee',
  paymentArgs: 'payment-args',
  version: 'version',
  currencyType: 'currency-type',
  disabled: 'disabled',
  customFace: 'custom-face',
  label: 'label',
};

/** Only the given properties are bound, so the others keep their defaults. */
export function renderHost(componentId: string, props: Record<string, unknown>, slot = '') {
  const bound = Object.keys(props)
    .map((key) => {
      const attribute = ATTRIBUTES[key];
      if (attribute === undefined) throw new Error(`unknown pay-button property ${key}`);
      return `${attribute}="{{${key}}}"`;
    })
    .join(' ');
  const events: HostEvent[] = [];
  const record = (type: HostEvent['type']) =>
    function (e: WechatMiniprogram.CustomEvent) {
      events.push({ type, detail: e.detail as Record<string, unknown> });
    };
  const hostId = simulate.load({
    usingComponents: { 'pay-button': componentId },
    template: `<pay-button id="pb" ${bound} bind:success="onSuccess" bind:fail="onFail" bind:cancel="onCancel">${slot}</pay-button>`,
    data: { ...props },
    methods: { onSuccess: record('success'), onFail: record('fail'), onCancel: record('cancel') },
  } as unknown as Parameters<typeof simulate.load>[0]);
  const root = simulate.render(hostId);
  root.attach(document.createElement('parent-wrapper'));
  const payButton = root.querySelector('#pb');
  if (payButton === undefined) throw new Error('pay-button did not render');
  const navigator = payButton.querySelector('.pay-button__navigator');
  if (navigator === undefined) throw new Error('functional-page-navigator did not render');
  return { root, payButton, navigator, events };
}

/** Lets queued custom events and setTimeout(0) callbacks run. */
export async function settle(ms = 0): Promise<void> {
  await simulate.sleep(ms);
  await simulate.sleep(0);
}

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  await sharedWaitFor('a pay-button condition', () => check(), timeoutMs);
}

/** Text a component renders, '' when it is not there. */
export function textOf(component: { dom: HTMLElement | undefined } | undefined): string {
  return component?.dom?.textContent ?? '';
}

export function classOf(component: { dom: HTMLElement | undefined } | undefined): string {
  return component?.dom?.className ?? '';
}

/** Page show/hide reach components through pageLifetimes (j-component has it, untyped). */
export function pageLifetime(root: object, name: 'show' | 'hide'): void {
  (root as { triggerPageLifeTime(lifetime: string): void }).triggerPageLifeTime(name);
}
