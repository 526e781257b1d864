/**
 * The owner app's payment functional page. WeChat calls `beforeRequestPayment` when a user taps
 * the plugin's pay button; we log the payer in, have our server place (or reuse) the WeChat Pay
 * order for `paymentArgs.orderNo`, and hand WeChat the signed `wx.requestPayment` arguments.
 *
 * Runs in the owner app with nothing from outside this folder at run time (WeChat refuses it).
 */
import type { BeforeRequestPaymentCallback, RequestPaymentArgs } from '../typings';
import { API_BASE_URL, REQUEST_TIMEOUT_MS } from './build-config';
import { asFunctionalPageError, FunctionalPageError } from './errors';
import { httpError, isSuccess, requestJson } from './http';
import { readOrderNo, readRequestPaymentArgs } from './payment-args';
import { forgetSession, login, readCachedSession } from './session';
import type { Session } from './session';
import { once } from './once';

async function requestPay(orderNo: string, session: Session) {
  const what = `POST /api/orders/${orderNo}/pay`;
  const res = await requestJson({
    method: 'POST',
    url: `${API_BASE_URL}/api/orders/${encodeURIComponent(orderNo)}/pay`,
    what,
    body: {},
    token: session.token,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  return { what, res };
}

async function prepare(orderNo: string): Promise<RequestPaymentArgs> {
  let session = readCachedSession(API_BASE_URL) ?? (await login(API_BASE_URL, REQUEST_TIMEOUT_MS));
  let { what, res } = await requestPay(orderNo, session);
  if (res.statusCode === 401) {
    // The token expired or the server forgot it: one fresh login, then the answer stands.
    forgetSession();
    session = await login(API_BASE_URL, REQUEST_TIMEOUT_MS);
    ({ what, res } = await requestPay(orderNo, session));
    if (res.statusCode === 401) forgetSession();
  }
  if (!isSuccess(res.statusCode)) throw httpError(what, res);
  return readRequestPaymentArgs(res.data, what);
}

export function beforeRequestPayment(
  paymentArgs: unknown,
  callback: BeforeRequestPaymentCallback,
): void {
  const answer = once(callback, 'beforeRequestPayment');
  try {
    const orderNo = readOrderNo(paymentArgs);
    prepare(orderNo).then(
      (args) => answer(null, args),
      (err: unknown) => answer(asFunctionalPageError(err)),
    );
  } catch (err) {
    answer(asFunctionalPageError(err));
  }
}

export { FunctionalPageError };
