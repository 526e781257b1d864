/**
 * API v3 as a service provider (服务商): orders are placed for a sub-merchant, who is paid
 * straight into its own account. The payer is the owner app's user (`sp_appid` + `sp_openid`),
 * which is what the payment functional page's `wx.login` gives. Answers are mapped into the
 * normalised transaction (sp_appid → appid, sp_mchid → mchid, sub_mchid kept) so settlement
 * checks provider and sub-merchant with its one rule.
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
import { NotificationRejected } from './port';
import type {
  PartnerJsapiOrderRequest,
  PartnerRefundNotice,
  PartnerTransaction,
  RefundNotice,
  Transaction,
} from './types';
import { rfc3339Beijing } from './v3-direct';
import { V3_NOTIFY_CONTENT_TYPES, openV3Notification, v3NotifyAnswer } from './v3-notify';
import type { PlatformKeys } from './verify';

export interface V3PartnerOptions {
  client: WechatPayClient;
  /** The provider's AppID (sp_appid): the owner mini program the payer signed in to. */
  spAppId: string;
  spMchId: string;
  merchantKey: KeyObject;
  platformKeys: PlatformKeys;
  apiV3Key: string;
  notifyWindowSeconds: number;
  notifyUrl: () => string;
}

/** A partner transaction in the normalised shape (what settlement and notify check). */
export function fromPartnerTransaction(t: PartnerTransaction): Transaction {
  const out: Transaction = {
    appid: t.sp_appid,
    mchid: t.sp_mchid,
    sub_mchid: t.sub_mchid,
    out_trade_no: t.out_trade_no,
    trade_state: t.trade_state,
  };
  if (t.transaction_id !== undefined) out.transaction_id = t.transaction_id;
  if (t.trade_state_desc !== undefined) out.trade_state_desc = t.trade_state_desc;
  if (t.success_time !== undefined) out.success_time = t.success_time;
  if (t.payer?.sp_openid !== undefined) out.payer = { openid: t.payer.sp_openid };
  if (t.amount !== undefined) out.amount = t.amount;
  if (t.attach !== undefined) out.attach = t.attach;
  return out;
}

function fromPartnerRefund(r: PartnerRefundNotice): RefundNotice {
  const out: RefundNotice = {
    mchid: r.sp_mchid,
    sub_mchid: r.sub_mchid,
    out_trade_no: r.out_trade_no,
    out_refund_no: r.out_refund_no,
    refund_status: r.refund_status,
  };
  if (r.refund_id !== undefined) out.refund_id = r.refund_id;
  if (r.amount !== undefined) out.amount = r.amount;
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function requireSub(subMchId: string | null, what: string): string {
  if (subMchId === null) throw new Error(`partner mode: ${what} has no sub-merchant`);
  return subMchId;
}

export class V3PartnerGateway implements PayGateway {
  readonly identity: { appId: string; mchId: string };
  readonly notifyContentTypes = V3_NOTIFY_CONTENT_TYPES;

  constructor(private readonly o: V3PartnerOptions) {
    this.identity = { appId: o.spAppId, mchId: o.spMchId };
  }

  /** A pure function of the stored order, so every retry sends identical parameters. */
  jsapiBody(order: PrepayOrder): PartnerJsapiOrderRequest {
    return {
      sp_appid: this.o.spAppId,
      sp_mchid: this.o.spMchId,
      sub_mchid: requireSub(order.subMchId, `order ${order.orderNo}`),
      description: order.description,
      out_trade_no: order.orderNo,
      time_expire: rfc3339Beijing(order.expiresAt),
      notify_url: this.o.notifyUrl(),
      amount: { total: order.total, currency: 'CNY' },
      payer: { sp_openid: order.openid },
    };
  }

  async prepay(order: PrepayOrder): Promise<string> {
    return (await this.o.client.createPartnerJsapi(this.jsapiBody(order))).prepay_id;
  }

  /** paySign as in direct mode, over the AppID the openid belongs to: sp_appid. */
  paymentArgs(prepayId: string): RequestPaymentArgs {
    return buildRequestPaymentArgs({
      appId: this.o.spAppId,
      prepayId,
      privateKey: this.o.merchantKey,
      timestamp: Date.now() / 1000,
    });
  }

  async query(order: OrderRef): Promise<Transaction> {
    const sub = requireSub(order.subMchId, `order ${order.orderNo}`);
    return fromPartnerTransaction(await this.o.client.queryPartner(order.orderNo, sub));
  }

  async close(order: OrderRef): Promise<'closed'> {
    await this.o.client.closePartner(
      order.orderNo,
      requireSub(order.subMchId, `order ${order.orderNo}`),
    );
    return 'closed';
  }

  async refund(r: RefundOrder): Promise<RefundAnswer> {
    const answer = await this.o.client.refund({
      sub_mchid: requireSub(r.subMchId, `refund ${r.outRefundNo}`),
      out_trade_no: r.orderNo,
      out_refund_no: r.outRefundNo,
      ...(r.reason ? { reason: r.reason } : {}),
      notify_url: this.o.notifyUrl(),
      amount: { refund: r.amount, total: r.total, currency: 'CNY' },
    });
    return { status: answer.status, ...(answer.refund_id ? { refundId: answer.refund_id } : {}) };
  }

  async queryRefund(r: RefundRef): Promise<RefundAnswer> {
    const sub = requireSub(r.subMchId, `refund ${r.outRefundNo}`);
    return { status: (await this.o.client.queryRefund(r.outRefundNo, sub)).status };
  }

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
    const r = n.resource;
    if (n.eventType.startsWith('TRANSACTION.')) {
      // A direct-merchant resource here would carry no sp_/sub_ fields: not ours to settle.
      if (!isRecord(r) || typeof r.sp_mchid !== 'string' || typeof r.sub_mchid !== 'string')
        throw new NotificationRejected(400, 'not a partner transaction (no sp_mchid / sub_mchid)');
      return {
        ...base,
        kind: 'transaction',
        transaction: fromPartnerTransaction(r as unknown as PartnerTransaction),
      };
    }
    if (n.eventType.startsWith('REFUND.')) {
      if (!isRecord(r) || typeof r.sp_mchid !== 'string' || typeof r.sub_mchid !== 'string')
        throw new NotificationRejected(400, 'not a partner refund (no sp_mchid / sub_mchid)');
      return {
        ...base,
        kind: 'refund',
        refund: fromPartnerRefund(r as unknown as PartnerRefundNotice),
      };
    }
    return { ...base, kind: 'other' };
  }

  destroy(): void {
    this.o.client.destroy();
  }
}
