/** Pure mapping from properties + payment state to what the template renders. */
import type { CurrencyType, PayButtonVersion } from '../../../typings';
import { formatFee, isCurrencyType, validateFee } from '../../fee';
import type { PayButtonData, PayButtonState } from './props';

const VERSIONS: readonly PayButtonVersion[] = ['release', 'trial', 'develop'];

export interface PayButtonInputs {
  fee: unknown;
  paymentArgs: unknown;
  version: unknown;
  currencyType: unknown;
  disabled: boolean;
  label: string;
  busy: boolean;
  /** wx.requestPluginPayment route: every tap goes through our handler, never the navigator. */
  pluginRoute: boolean;
  /** WeChat DevTools: taps are intercepted and explained. */
  devtools: boolean;
  /** Message to keep on screen after an intercepted tap (DevTools). */
  notice: string;
}

export interface Checked {
  fee: number;
  paymentArgs: Record<string, unknown>;
  version: PayButtonVersion;
  currencyType: CurrencyType;
}

export type InputCheck = { ok: true; value: Checked } | { ok: false; reason: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** First reason the inputs cannot start a payment, or the checked values. */
export function checkInputs(
  i: Pick<PayButtonInputs, 'fee' | 'paymentArgs' | 'version' | 'currencyType'>,
): InputCheck {
  const fee = validateFee(i.fee);
  if (!fee.ok) return fee;
  if (i.paymentArgs !== null && i.paymentArgs !== undefined && !isPlainObject(i.paymentArgs)) {
    return { ok: false, reason: 'paymentArgs must be an object' };
  }
  if (typeof i.version !== 'string' || !VERSIONS.includes(i.version as PayButtonVersion)) {
    return {
      ok: false,
      reason: `version must be one of ${VERSIONS.join(', ')}, got ${String(i.version)}`,
    };
  }
  if (!isCurrencyType(i.currencyType)) {
    return { ok: false, reason: `currencyType ${String(i.currencyType)} is not supported` };
  }
  return {
    ok: true,
    value: {
      fee: fee.fee,
      paymentArgs: isPlainObject(i.paymentArgs) ? i.paymentArgs : {},
      version: i.version as PayButtonVersion,
      currencyType: i.currencyType,
    },
  };
}

export function derive(i: PayButtonInputs, check: InputCheck): PayButtonData {
  const label = i.label.trim() || 'Pay';
  if (!check.ok) {
    return {
      state: 'invalid',
      guard: true,
      faceText: '—',
      ariaLabel: `${label}: unavailable, ${check.reason}`,
      notice: `Payment unavailable: ${check.reason}`,
      navArgs: null,
    };
  }
  const { fee, paymentArgs, currencyType } = check.value;
  const amount = formatFee(fee, currencyType);
  const state: PayButtonState = i.busy ? 'busy' : i.disabled ? 'disabled' : 'ready';
  const ariaLabel =
    state === 'busy'
      ? `${label} ${amount}: payment in progress`
      : state === 'disabled'
        ? `${label} ${amount}: unavailable`
        : `${label} ${amount}`;
  return {
    state,
    guard: state !== 'ready' || i.pluginRoute || i.devtools,
    faceText: amount,
    ariaLabel,
    notice: i.notice,
    navArgs: { fee, paymentArgs },
  };
}
