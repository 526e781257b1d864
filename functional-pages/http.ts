/**
 * wx.request as a Promise of a JSON answer, with a timeout WeChat enforces and a watchdog of
 * our own in case neither callback ever comes.
 */
import { FunctionalPageError } from './errors';

export interface JsonResponse {
  statusCode: number;
  /** Parsed JSON, or the raw text when the body was not JSON. */
  data: unknown;
}

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Shown in error messages instead of the full URL: `POST /api/session`. */
  what: string;
  body?: Record<string, unknown>;
  token?: string;
  timeoutMs: number;
}

/** Grace on top of wx.request's own timeout before we give up on its callbacks. */
const WATCHDOG_SLACK_MS = 1000;

export function requestJson(req: JsonRequest): Promise<JsonResponse> {
  return new Promise<JsonResponse>((resolve, reject) => {
    let settled = false;
    let task: WechatMiniprogram.RequestTask | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      fn();
    };
    const timedOut = () =>
      new FunctionalPageError('TIMEOUT', `${req.what} timed out after ${req.timeoutMs} ms`);
    const watchdog = setTimeout(() => {
      finish(() => reject(timedOut()));
      try {
        task?.abort();
      } catch {
        // Already finished or not abortable: nothing left to release.
      }
    }, req.timeoutMs + WATCHDOG_SLACK_MS);

    const header: Record<string, string> = { 'content-type': 'application/json' };
    if (req.token !== undefined) header.Authorization = `Bearer ${req.token}`;
    try {
      task = wx.request({
        url: req.url,
        method: req.method,
        header,
        data: req.body ?? {},
        dataType: 'json',
        timeout: req.timeoutMs,
        success: (res) => finish(() => resolve({ statusCode: res.statusCode, data: res.data })),
        fail: (err) =>
          finish(() =>
            reject(
              /timeout/i.test(err.errMsg)
                ? timedOut()
                : new FunctionalPageError('NETWORK', `${req.what} failed: ${err.errMsg}`),
            ),
          ),
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      finish(() => reject(new FunctionalPageError('NETWORK', `${req.what} failed: ${detail}`)));
    }
  });
}

/** `{ code, message }` from our server's error body, when it is there. */
export function serverError(data: unknown): { code?: string; message?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const { code, message } = data as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

export function httpError(what: string, res: JsonResponse): FunctionalPageError {
  const { code, message } = serverError(res.data);
  const reason = [code, message].filter((part) => part !== undefined).join(': ');
  const kind = res.statusCode === 401 ? 'UNAUTHORIZED' : 'HTTP';
  return new FunctionalPageError(
    kind,
    `${what} answered HTTP ${res.statusCode}${reason === '' ? '' : ` ${reason}`}`,
    { status: res.statusCode, ...(code !== undefined ? { serverCode: code } : {}) },
  );
}

export function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}
