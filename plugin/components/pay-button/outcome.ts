/**
 * WeChat's answers, from either route, turned into the three host events. errMsg is passed on
 * as WeChat wrote it; only missing values get a stand-in.
 */
import type {
  PayButtonCancelDetail,
  PayButtonFailDetail,
  PayButtonSuccessDetail,
} from '../../../typings';

export type Outcome =
  | { event: 'success'; detail: PayButtonSuccessDetail }
  | { event: 'cancel'; detail: PayButtonCancelDetail }
  | { event: 'fail'; detail: PayButtonFailDetail };

/** `requestPayment:fail cancel`, `requestPluginPayment:fail cancel`, and older `…:cancel`. */
const CANCEL = /:fail cancel$|:cancel$/;

function errMsgOf(detail: unknown, fallback: string): string {
  if (typeof detail === 'object' && detail !== null) {
    const errMsg = (detail as { errMsg?: unknown }).errMsg;
    if (typeof errMsg === 'string' && errMsg !== '') return errMsg;
  }
  return fallback;
}

function extraDataOf(detail: unknown): Record<string, unknown> | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const extra = (detail as { extraData?: unknown }).extraData;
  return typeof extra === 'object' && extra !== null && !Array.isArray(extra)
    ? (extra as Record<string, unknown>)
    : undefined;
}

export function successOutcome(detail: unknown, api: string): Outcome {
  const extraData = extraDataOf(detail);
  const out: PayButtonSuccessDetail = { errMsg: errMsgOf(detail, `${api}:ok`) };
  if (extraData !== undefined) out.extraData = extraData;
  return { event: 'success', detail: out };
}

/** A failure whose errMsg says the user cancelled is a cancel. */
export function failOutcome(detail: unknown, api: string): Outcome {
  const errMsg = errMsgOf(detail, `${api}:fail`);
  return CANCEL.test(errMsg)
    ? { event: 'cancel', detail: { errMsg } }
    : { event: 'fail', detail: { errMsg } };
}

/** The navigator's `cancel`: the user left the functional page. */
export function cancelOutcome(detail: unknown, api: string): Outcome {
  return { event: 'cancel', detail: { errMsg: errMsgOf(detail, `${api}:fail cancel`) } };
}
