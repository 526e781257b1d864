/**
 * Public properties of `pay-button`, kept apart from its behaviour. `fee` and `paymentArgs`
 * accept any type on purpose: a wrong type from the host must reach our validation (and be
 * explained) instead of being coerced silently by the framework.
 */
import { FUNCTIONAL_PAGE_VERSION } from '../../build-config';

export const payButtonProperties = {
  /** Amount in fen, positive integer ≤ MAX_FEE. Display only: the server charges its own total. */
  fee: { type: null, value: null },
  /** Handed untouched to the owner's `beforeRequestPayment`; for this project `{ orderNo }`. */
  paymentArgs: { type: null, value: null },
  /** Functional page build to open; the default comes from the build (MP_FUNCTIONAL_PAGE_VERSION). */
  version: { type: String, value: FUNCTIONAL_PAGE_VERSION },
  currencyType: { type: String, value: 'CNY' },
  disabled: { type: Boolean, value: false },
  /** Slot content replaces the amount instead of preceding it. */
  customFace: { type: Boolean, value: false },
  /** Verb of the accessible label: `${label} ¥12.34`. */
  label: { type: String, value: 'Pay' },
};

export type PayButtonState = 'ready' | 'busy' | 'disabled' | 'invalid';

/** Render data derived from the properties (see `derive` in view.ts). */
export interface PayButtonData {
  state: PayButtonState;
  /** Covers the face and catches taps, so the navigator never starts a jump. */
  guard: boolean;
  faceText: string;
  ariaLabel: string;
  notice: string;
  navArgs: { fee: number; paymentArgs: Record<string, unknown> } | null;
}
