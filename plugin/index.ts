/**
 * Plugin main (plugin.json "main"): what a host gets from `requirePlugin('<alias>')`.
 * Runtime exports are small pure helpers; event and property shapes are types only.
 */
export { MAX_FEE, CURRENCY_SYMBOLS, formatFee, validateFee } from './fee';
export type { FeeCheck } from './fee';
export { PLUGIN_VERSION } from './version';
export type {
  CurrencyType,
  FunctionalPageArgs,
  PaymentArgsLike,
  PayButtonCancelDetail,
  PayButtonFailDetail,
  PayButtonProps,
  PayButtonSuccessDetail,
  PayButtonVersion,
} from '../typings';
