/**
 * What API v3's two adapters (direct merchant, service provider) share: the RSA `paySign` over
 * the AppID the payer's openid belongs to, the refund body, notification verify + decrypt
 * (`v3-notify.ts`) and its answer. Each adapter adds only its own endpoints and field names.
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestPaymentArgs } from '../../../typings/payment';
import type { WechatPayClient } from './client';
import { buildRequestPaymentArgs } from './pay-sign';
import type { NotifyAnswer, RefundAnswer, RefundOrder } from './port';
import type { Refund, RefundRequestBody } from './types';
import { V3_NOTIFY_CONTENT_TYPES, openV3Notification, v3NotifyAnswer } from './v3-notify';
import type { V3Envelope } from './v3-notify';
import type { PlatformKeys } from './verify';

export interface V3Options {
  client: WechatPayClient;
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

export abstract class V3GatewayBase {
  readonly notifyContentTypes = V3_NOTIFY_CONTENT_TYPES;
  abstract readonly identity: { appId: string; mchId: string };

  constructor(protected readonly v3: V3Options) {}

  /** paySign over `appId`: the AppID the order was placed for and the payer's openid is under. */
  paymentArgs(prepayId: string, appId: string): RequestPaymentArgs {
    return buildRequestPaymentArgs({
      appId,
      prepayId,
      privateKey: this.v3.merchantKey,
      timestamp: Date.now() / 1000,
    });
  }

  /** `/v3/refund/domestic/refunds`, the same endpoint for both modes (`extra`: sub_mchid). */
  protected async placeRefund(
    r: RefundOrder,
    extra: Pick<RefundRequestBody, 'sub_mchid'> = {},
  ): Promise<RefundAnswer> {
    const answer: Refund = await this.v3.client.refund({
      ...extra,
      out_trade_no: r.orderNo,
      out_refund_no: r.outRefundNo,
      ...(r.reason ? { reason: r.reason } : {}),
      notify_url: this.v3.notifyUrl(),
      amount: { refund: r.amount, total: r.total, currency: 'CNY' },
    });
    return { status: answer.status, ...(answer.refund_id ? { refundId: answer.refund_id } : {}) };
  }

  protected openNotification(headers: IncomingHttpHeaders, raw: Buffer): V3Envelope {
    return openV3Notification(headers, raw, {
      platformKeys: this.v3.platformKeys,
      apiV3Key: this.v3.apiV3Key,
      windowSeconds: this.v3.notifyWindowSeconds,
    });
  }

  notifyAnswer(refusal?: { status: number; message: string }): NotifyAnswer {
    return v3NotifyAnswer(refusal);
  }

  destroy(): void {
    this.v3.client.destroy();
  }
}
