/**
 * API v3, direct merchant (the default scheme): the JSAPI body, the RSA `paySign`, and
 * notification verify + decrypt (`v3-notify.ts`, shared with partner mode).
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestPaymentArgs } from '../../../typings/payment';
import type { WechatPayClient } from './client';
import { buildRequestPaymentArgs } from './pay-sign';
import type {
  NotifyAnswer,
  OrderRef,
  PayGateway,
  PayNotification,
  PrepayOrder,
  RefundAnswer,
  RefundOrder,
  RefundRef,
} from './port';
import type { JsapiOrderRequest, RefundNotice, Transaction } from './types';
import { V3_NOTIFY_CONTENT_TYPES, openV3Notification, v3NotifyAnswer } from './v3-notify';
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

  query(order: OrderRef): Promise<Transaction> {
    return this.o.client.queryByOutTradeNo(order.orderNo);
  }

  async close(order: OrderRef): Promise<'closed'> {
    await this.o.client.close(order.orderNo);
    return 'closed';
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

  async queryRefund(r: RefundRef): Promise<RefundAnswer> {
    return { status: (await this.o.client.queryRefund(r.outRefundNo)).status };
  }

  readonly notifyContentTypes = V3_NOTIFY_CONTENT_TYPES;

  notifyAnswer(refusal?: { status: number; message: string }): NotifyAnswer {
    return v3NotifyAnswer(refusal);
  }

  readNotification(headers: IncomingHttpHeaders, raw: Buffer): PayNotification {
    const n = openV3Notification(headers, raw, {
      platformKeys: this.o.platformKeys,
      apiV3Key: this.o.apiV3Key,
      windowSeconds: this.o.notifyWindowSeconds,
    });
    const base = { id: n.id, eventType: n.eventType };
    if (n.eventType.startsWith('TRANSACTION.')) {
      return { ...base, kind: 'transaction', transaction: n.resource as Transaction };
    }
    if (n.eventType.startsWith('REFUND.')) {
      return { ...base, kind: 'refund', refund: n.resource as RefundNotice };
    }
    return { ...base, kind: 'other' };
  }

  destroy(): void {
    this.o.client.destroy();
  }
}
