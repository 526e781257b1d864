/**
 * API v3, direct merchant: the one PayGateway adapter today. It owns everything v3-specific the
 * services used to know: the JSAPI body, the RSA `paySign`, and notification verify + decrypt.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestPaymentArgs } from '../../../typings/payment';
import { headerOf } from '../http-client';
import { DecryptError, decryptResource } from './aead';
import type { WechatPayClient } from './client';
import { buildRequestPaymentArgs } from './pay-sign';
import type { PayGateway, PayNotification, PrepayOrder, RefundAnswer, RefundOrder } from './port';
import { NotificationRejected } from './port';
import type { JsapiOrderRequest, Notification, RefundNotice, Transaction } from './types';
import { SignatureError, signatureHeaders, verifySignature } from './verify';
import type { PlatformKeys } from './verify';

export interface V3DirectOptions {
  client: WechatPayClient;
  appId: string;
  mchId: string;
  merchantKey: KeyObject;
  platformKeys: PlatformKeys;
  apiV3Key: string;
  notifyWindowSeconds: number;
  notifyUrl: () => string;
}

/** RFC 3339 in +08:00, the form WeChat Pay documents for time_expire. */
export function rfc3339Beijing(ms: number): string {
  const s = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3600_000).toISOString();
  return `${s.slice(0, 19)}+08:00`;
}

function isNotification(v: unknown): v is Notification {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Record<string, unknown>;
  const r = n.resource as Record<string, unknown> | undefined;
  return (
    typeof n.id === 'string' &&
    n.id.length > 0 &&
    n.id.length <= 64 &&
    typeof n.event_type === 'string' &&
    typeof r === 'object' &&
    r !== null &&
    typeof r.ciphertext === 'string' &&
    typeof r.nonce === 'string' &&
    typeof r.algorithm === 'string'
  );
}

const reject = (status: number, message: string, reason?: string): NotificationRejected =>
  new NotificationRejected(status, message, reason);

export class V3DirectGateway implements PayGateway {
  readonly identity: { appId: string; mchId: string };

  constructor(private readonly o: V3DirectOptions) {
    this.identity = { appId: o.appId, mchId: o.mchId };
  }

  /** The JSAPI body is a pure function of the stored order: any retry sends identical parameters. */
  jsapiBody(order: PrepayOrder): JsapiOrderRequest {
    return {
      appid: this.o.appId,
      mchid: this.o.mchId,
      description: order.description,
      out_trade_no: order.orderNo,
      time_expire: rfc3339Beijing(order.expiresAt),
      notify_url: this.o.notifyUrl(),
      amount: { total: order.total, currency: 'CNY' },
      payer: { openid: order.openid },
    };
  }

  async prepay(order: PrepayOrder): Promise<string> {
    return (await this.o.client.createJsapi(this.jsapiBody(order))).prepay_id;
  }

  paymentArgs(prepayId: string): RequestPaymentArgs {
    return buildRequestPaymentArgs({
      appId: this.o.appId,
      prepayId,
      privateKey: this.o.merchantKey,
      timestamp: Date.now() / 1000,
    });
  }

  query(orderNo: string): Promise<Transaction> {
    return this.o.client.queryByOutTradeNo(orderNo);
  }

  close(orderNo: string): Promise<void> {
    return this.o.client.close(orderNo);
  }

  async refund(r: RefundOrder): Promise<RefundAnswer> {
    const answer = await this.o.client.refund({
      out_trade_no: r.orderNo,
      out_refund_no: r.outRefundNo,
      ...(r.reason ? { reason: r.reason } : {}),
      notify_url: this.o.notifyUrl(),
      amount: { refund: r.amount, total: r.total, currency: 'CNY' },
    });
    return { status: answer.status, ...(answer.refund_id ? { refundId: answer.refund_id } : {}) };
  }

  async queryRefund(outRefundNo: string): Promise<RefundAnswer> {
    return { status: (await this.o.client.queryRefund(outRefundNo)).status };
  }

  readNotification(headers: IncomingHttpHeaders, raw: Buffer): PayNotification {
    const header = (n: string): string | undefined => headerOf(headers, n);
    try {
      verifySignature({
        headers: signatureHeaders(header),
        body: raw,
        keys: this.o.platformKeys,
        // Signature freshness is judged on the wall clock, like WeChat does.
        now: Math.floor(Date.now() / 1000),
        windowSeconds: this.o.notifyWindowSeconds,
      });
    } catch (err) {
      if (err instanceof SignatureError) {
        throw reject(401, `signature rejected: ${err.reason}`, err.reason);
      }
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw reject(400, 'body is not JSON');
    }
    if (!isNotification(body)) throw reject(400, 'not a WeChat Pay notification');
    let plain: string;
    try {
      plain = decryptResource(body.resource, this.o.apiV3Key);
    } catch (err) {
      if (err instanceof DecryptError) throw reject(400, `cannot decrypt resource: ${err.message}`);
      throw err;
    }
    let resource: unknown;
    try {
      resource = JSON.parse(plain);
    } catch {
      throw reject(400, 'resource is not JSON');
    }
    const base = { id: body.id, eventType: body.event_type };
    if (body.event_type.startsWith('TRANSACTION.')) {
      return { ...base, kind: 'transaction', transaction: resource as Transaction };
    }
    if (body.event_type.startsWith('REFUND.')) {
      return { ...base, kind: 'refund', refund: resource as RefundNotice };
    }
    return { ...base, kind: 'other' };
  }

  destroy(): void {
    this.o.client.destroy();
  }
}
