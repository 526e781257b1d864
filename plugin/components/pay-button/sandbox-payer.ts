/**
 * Development builds only: how a tap finishes a payment in WeChat DevTools, which cannot open
 * the payment functional page. It plays the functional page and the cashier against the local
 * sandbox: a sandbox login code for the owner's app, the server's session and payment arguments
 * (the same calls beforeRequestPayment makes), and the sandbox cashier's "pay". A release
 * build replaces this module with an empty one (gulpfile.ts: built only when MP_SANDBOX_URL is
 * set), and the build check proves no sandbox code reaches dist/ then.
 */
import { API_BASE_URL, REQUEST_TIMEOUT_MS, SANDBOX_URL } from '../../build-config';

/** Who pays in DevTools: one sandbox user, stable, so repeat payments find their session. */
const DEVTOOLS_USER = 'devtools-developer';

function post(url: string, data: object, header: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    wx.request({
      url,
      method: 'POST',
      data,
      header,
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
      success: (res) =>
        res.statusCode >= 200 && res.statusCode < 300
          ? resolve(res.data)
          : reject(new Error(`${url} answered HTTP ${res.statusCode} ${JSON.stringify(res.data)}`)),
      fail: (err) => reject(new Error(`${url}: ${err.errMsg}`)),
    });
  });
}

/**
 * Pays `paymentArgs` ({ orderNo, orderToken }) at the sandbox; resolves with the errMsg the
 * cashier gave (`requestPayment:ok` when paid). Undefined in release builds.
 */
export const payInSandbox:
  ((paymentArgs: { orderNo?: unknown; orderToken?: unknown }) => Promise<string>) | undefined =
  SANDBOX_URL
    ? async (paymentArgs) => {
        const { orderNo, orderToken } = paymentArgs;
        if (typeof orderNo !== 'string') throw new Error('paymentArgs has no orderNo');
        const minted = (await post(`${SANDBOX_URL}/sandbox/login-code`, {
          user: DEVTOOLS_USER,
        })) as { code: string; openid: string };
        const session = (await post(`${API_BASE_URL}/api/session`, { code: minted.code })) as {
          token: string;
        };
        const header: Record<string, string> = { Authorization: `Bearer ${session.token}` };
        if (typeof orderToken === 'string') header['X-Order-Token'] = orderToken;
        const args = await post(
          `${API_BASE_URL}/api/orders/${encodeURIComponent(orderNo)}/pay`,
          {},
          header,
        );
        const paid = (await post(`${SANDBOX_URL}/sandbox/cashier/pay`, {
          openid: minted.openid,
          outcome: 'success',
          requestPaymentArgs: args,
        })) as { errMsg: string };
        return paid.errMsg;
      }
    : undefined;
