/**
 * The pay-button's `properties`, checked against the public contract (`PayButtonProps` in
 * typings/pay-button.ts): a prop added to or removed from either side, or given another type or
 * default, fails to compile.
 */
import type { PayButtonProps } from '../../../typings';
import { FUNCTIONAL_PAGE_VERSION } from '../../build-config';

/** The WeChat property type constructor for a contract type. */
type PropType<T> = T extends number
  ? NumberConstructor
  : T extends string
    ? StringConstructor
    : T extends boolean
      ? BooleanConstructor
      : ObjectConstructor;

/** `null` accepts any value (the component validates it), else a type with an optional default. */
type PropDefinition<T> = null | PropType<T> | { type: PropType<T>; value: T };

/** One definition per contract prop, optional ones included, and nothing else. */
export type PropertiesOf<P> = { [K in keyof Required<P>]: PropDefinition<Required<P>[K]> };

export const payButtonProperties = {
  /** Amount in fen, positive integer ≤ MAX_FEE. Display only: the server charges its own total. */
  fee: null,
  /** Handed untouched to the owner's `beforeRequestPayment`; for this project `{ orderNo }`. */
  paymentArgs: null,
  /** Functional page build to open; the default comes from the build (MP_FUNCTIONAL_PAGE_VERSION). */
  version: { type: String, value: FUNCTIONAL_PAGE_VERSION },
  currencyType: { type: String, value: 'CNY' },
  disabled: Boolean,
  /** Slot content replaces the amount instead of preceding it. */
  customFace: Boolean,
  /** Verb on the face and in the accessible label; '' is the WeChat language's own (支付 / Pay). */
  label: { type: String, value: '' },
} satisfies PropertiesOf<PayButtonProps>;
