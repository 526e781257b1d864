/**
 * `wx.request` as a promise with one error type. WeChat calls `success` for every HTTP status and
 * `fail` only when no response arrived, so both become an `HttpError` the pages can explain.
 */
import type { ApiError, ApiErrorCode } from '../../typings';
import { API_BASE_URL, REQUEST_TIMEOUT_MS } from '../build-config';

export type HttpErrorKind = 'network' | 'timeout' | 'http' | 'malformed';

export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  readonly status: number | undefined;
  readonly code: ApiErrorCode | undefined;

  constructor(kind: HttpErrorKind, message: string, status?: number, code?: ApiErrorCode) {
    super(message);
    this.name = 'HttpError';
    this.kind = kind;
    this.status = status;
    this.code = code;
  }
}

export interface HttpResponse {
  status: number;
  data: unknown;
  header: Record<string, unknown>;
  sentAtMs: number;
  receivedAtMs: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: object;
  headers?: Record<string, string>;
}

/** Resolves with any HTTP status; rejects only when there is no usable response. */
export function send(request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const sentAtMs = Date.now();
    const header: Record<string, string> = { Accept: 'application/json', ...request.headers };
    if (request.body !== undefined) header['Content-Type'] = 'application/json';
    wx.request({
      url: `${API_BASE_URL}${request.path}`,
      method: request.method,
      data: request.body,
      header,
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
      success(res) {
        resolve({
          status: res.statusCode,
          data: res.data,
          header: (res.header ?? {}) as Record<string, unknown>,
          sentAtMs,
          receivedAtMs: Date.now(),
        });
      },
      fail(err) {
        const detail = err.errMsg.replace(/^request:fail\s*/, '') || 'network error';
        if (/timeout|timed out/i.test(detail)) {
          reject(new HttpError('timeout', 'The server took too long to answer.'));
        } else {
          reject(new HttpError('network', `Cannot reach the server (${detail}).`));
        }
      },
    });
  });
}

export function headerValue(header: Record<string, unknown>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(header)) {
    const value = header[key];
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiError).code === 'string' &&
    typeof (value as ApiError).message === 'string'
  );
}

/** The error for a non-2xx response: the server's `{ code, message }` when it sent one. */
export function errorFromResponse(response: HttpResponse): HttpError {
  if (isApiError(response.data)) {
    return new HttpError('http', response.data.message, response.status, response.data.code);
  }
  return new HttpError('http', `The server answered HTTP ${response.status}.`, response.status);
}

/** A definite no about an order (not found, or another payer's): asking again cannot change it. */
export function isFinalRefusal(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 403 || error.status === 404);
}
