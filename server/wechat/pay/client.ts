/**
 * WeChat Pay v3 client over node:http(s) with a keep-alive agent (`../http-client`): signs each
 * attempt, verifies every response it trusts over the exact bytes received, logs WeChat's
 * Request-ID, times out each attempt, and retries with identical parameters on 5xx/429/network
 * errors only (never on 4xx: those are answers; never on an oversized answer).
 */
import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { HttpClient, ResponseTooLarge, headerOf } from '../http-client';
import type { HttpResponse } from '../http-client';
import { signRequest } from './sign';
import type {
  JsapiOrderRequest,
  PartnerJsapiOrderRequest,
  PartnerTransaction,
  Refund,
  RefundRequestBody,
  Transaction,
} from './types';
import { SignatureError, signatureHeaders, verifySignature } from './verify';
import type { PlatformKeys } from './verify';
import { WechatPayError } from './errors';

export { WechatPayError };

export interface WechatPayClientOptions {
  baseUrl: string;
  mchId: string;
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  platformKeys: PlatformKeys;
  /** Wall-clock time for signatures (never a test's shifted business clock). */
  wallClock: Clock;
  logger: Logger;
  timeoutMs: number;
  retries: number;
  /** Base of the exponential backoff between attempts. */
  retryDelayMs?: number;
  /** Sockets open to WeChat Pay at once (default 64). */
  maxSockets?: number;
  /** Larger answers fail without a retry (default 1 MiB). */
  maxResponseBytes?: number;
}

/** A failure talking to WeChat Pay: `status` 0 for network errors and timeouts. */
const USER_AGENT = 'wechat-plugin-pay-server/0.1';

export class WechatPayClient {
  private readonly retryDelayMs: number;
  private readonly http: HttpClient;

  constructor(private readonly o: WechatPayClientOptions) {
    this.retryDelayMs = o.retryDelayMs ?? 200;
    this.http = new HttpClient({
      baseUrl: o.baseUrl,
      timeoutMs: o.timeoutMs,
      maxSockets: o.maxSockets,
      maxResponseBytes: o.maxResponseBytes,
    });
  }

  /** Closes the pooled connections (the app calls it on shutdown). */
  destroy(): void {
    this.http.close();
  }

  static privateKey(pem: string): KeyObject {
    return createPrivateKey(pem);
  }

  createJsapi(body: JsapiOrderRequest): Promise<{ prepay_id: string }> {
    return this.placeJsapi('/v3/pay/transactions/jsapi', body);
  }

  /** Service-provider mode: the order pays `body.sub_mchid`. */
  createPartnerJsapi(body: PartnerJsapiOrderRequest): Promise<{ prepay_id: string }> {
    return this.placeJsapi('/v3/pay/partner/transactions/jsapi', body);
  }

  private async placeJsapi(path: string, body: unknown): Promise<{ prepay_id: string }> {
    const r = await this.call<{ prepay_id?: unknown }>('POST', path, body);
    if (typeof r?.prepay_id !== 'string' || r.prepay_id === '') {
      throw new WechatPayError('jsapi answered without prepay_id', { status: 200, verified: true });
    }
    return { prepay_id: r.prepay_id };
  }

  /** `this.o.mchId` is the provider's sp_mchid in partner mode. */
  async queryPartner(outTradeNo: string, subMchId: string): Promise<PartnerTransaction> {
    const q = `sp_mchid=${encodeURIComponent(this.o.mchId)}&sub_mchid=${encodeURIComponent(subMchId)}`;
    const r = await this.call<PartnerTransaction>(
      'GET',
      `/v3/pay/partner/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?${q}`,
    );
    if (!r || typeof r.trade_state !== 'string') {
      throw new WechatPayError('query answered without trade_state', {
        status: 200,
        verified: true,
      });
    }
    return r;
  }

  async closePartner(outTradeNo: string, subMchId: string): Promise<void> {
    await this.call(
      'POST',
      `/v3/pay/partner/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`,
      { sp_mchid: this.o.mchId, sub_mchid: subMchId },
    );
  }

  async queryByOutTradeNo(outTradeNo: string): Promise<Transaction> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.o.mchId)}`;
    const r = await this.call<Transaction>('GET', path);
    if (!r || typeof r.trade_state !== 'string') {
      throw new WechatPayError('query answered without trade_state', {
        status: 200,
        verified: true,
      });
    }
    return r;
  }

  async close(outTradeNo: string): Promise<void> {
    await this.call(
      'POST',
      `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`,
      {
        mchid: this.o.mchId,
      },
    );
  }

  async refund(body: RefundRequestBody): Promise<Refund> {
    const r = await this.call<Refund>('POST', '/v3/refund/domestic/refunds', body);
    if (!r || typeof r.status !== 'string') {
      throw new WechatPayError('refund answered without status', { status: 200, verified: true });
    }
    return r;
  }

  /** `subMchId`: partner mode, the sub-merchant whose refund it is. */
  async queryRefund(outRefundNo: string, subMchId?: string): Promise<Refund> {
    const sub = subMchId === undefined ? '' : `?sub_mchid=${encodeURIComponent(subMchId)}`;
    const r = await this.call<Refund>(
      'GET',
      `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}${sub}`,
    );
    if (!r || typeof r.status !== 'string') {
      throw new WechatPayError('refund query answered without status', {
        status: 200,
        verified: true,
      });
    }
    return r;
  }

  /** One logical call: serialise once, then every attempt sends these exact bytes. */
  private async call<T>(
    method: 'GET' | 'POST',
    pathWithQuery: string,
    payload?: unknown,
  ): Promise<T | undefined> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    let attempt = 0;
    for (;;) {
      let res: HttpResponse;
      try {
        res = await this.send(method, pathWithQuery, body);
      } catch (err) {
        if (attempt < this.o.retries && !(err instanceof ResponseTooLarge)) {
          await this.backoff(attempt++);
          continue;
        }
        const reason = err instanceof Error ? err.message : String(err);
        throw new WechatPayError(
          `WeChat Pay ${method} ${stripQuery(pathWithQuery)} failed: ${reason}`,
          { status: 0, verified: false },
        );
      }
      const requestId = headerOf(res.headers, 'request-id');
      if ((res.status >= 500 || res.status === 429) && attempt < this.o.retries) {
        this.o.logger.warn(
          { requestId, status: res.status, attempt },
          'WeChat Pay retryable answer',
        );
        await this.backoff(attempt++);
        continue;
      }
      return this.accept<T>(method, pathWithQuery, res, requestId);
    }
  }

  private accept<T>(
    method: string,
    pathWithQuery: string,
    res: HttpResponse,
    requestId: string | undefined,
  ): T | undefined {
    const verified = this.verify(res);
    const ok = res.status >= 200 && res.status < 300;
    if (ok) {
      if (!verified.ok) {
        this.o.logger.error(
          { requestId, reason: verified.reason },
          'WeChat Pay response signature rejected',
        );
        throw new WechatPayError(`response signature rejected: ${verified.reason}`, {
          status: 502,
          code: 'SIGN_ERROR',
          requestId,
          verified: false,
        });
      }
      if (res.body.length === 0) return undefined;
      try {
        return JSON.parse(res.body.toString('utf8')) as T;
      } catch {
        throw new WechatPayError('response is not JSON', {
          status: 502,
          requestId,
          verified: true,
        });
      }
    }
    let code: string | undefined;
    let message = `HTTP ${res.status}`;
    try {
      const e = JSON.parse(res.body.toString('utf8')) as { code?: unknown; message?: unknown };
      if (typeof e.code === 'string') code = e.code;
      if (typeof e.message === 'string') message = e.message;
    } catch {
      // a non-JSON error body: the status says enough
    }
    this.o.logger.warn({ requestId, status: res.status, code }, 'WeChat Pay refused');
    throw new WechatPayError(
      `WeChat Pay ${method} ${stripQuery(pathWithQuery)}: ${code ?? res.status} ${message}`,
      { status: res.status, code, requestId, verified: verified.ok },
    );
  }

  private verify(res: HttpResponse): { ok: true } | { ok: false; reason: string } {
    try {
      verifySignature({
        headers: signatureHeaders((n) => headerOf(res.headers, n)),
        body: res.body,
        keys: this.o.platformKeys,
        now: Math.floor(this.o.wallClock.now() / 1000),
      });
      return { ok: true };
    } catch (err) {
      if (err instanceof SignatureError) return { ok: false, reason: err.reason };
      throw err;
    }
  }

  private async send(method: string, pathWithQuery: string, body: string): Promise<HttpResponse> {
    const authorization = signRequest({
      method,
      pathWithQuery,
      body,
      mchId: this.o.mchId,
      serialNo: this.o.merchantSerialNo,
      privateKey: this.o.merchantPrivateKey,
      timestamp: this.o.wallClock.now() / 1000,
    });
    const started = Date.now();
    const res = await this.http.send(
      method,
      pathWithQuery,
      method === 'GET'
        ? { Authorization: authorization, Accept: 'application/json', 'User-Agent': USER_AGENT }
        : {
            Authorization: authorization,
            Accept: 'application/json',
            'User-Agent': USER_AGENT,
            'Content-Type': 'application/json',
          },
      method === 'GET' ? undefined : body,
    );
    if (this.o.logger.isLevelEnabled('info')) {
      this.o.logger.info(
        {
          requestId: headerOf(res.headers, 'request-id'),
          method,
          path: stripQuery(pathWithQuery),
          status: res.status,
          ms: Date.now() - started,
        },
        'WeChat Pay call',
      );
    }
    return res;
  }

  private backoff(attempt: number): Promise<void> {
    const ms = this.retryDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
    return new Promise((r) => setTimeout(r, ms));
  }
}

function stripQuery(p: string): string {
  const i = p.indexOf('?');
  return i < 0 ? p : p.slice(0, i);
}
