/**
 * API v2 (XML, MD5 / HMAC-SHA256) as a PayGateway: unified order, order query, close (never
 * within 5 minutes of placing, WeChat's rule), refunds over mutual TLS, refund query (each
 * after the order names it with the AppID it was placed under), XML
 * notifications, and `wx.requestPayment` arguments signed with the v2 `paySign` and the
 * order's `signType`. Answers are mapped into the normalised (v3-shaped) transaction.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestPaymentArgs } from '../../../../typings/payment';
import type { Clock } from '../../../clock';
import { WechatPayError } from '../errors';
import type {
  NotifyAnswer,
  OrderRef,
  PayGateway,
  PayNotification,
  PrepayOrder,
  RefundAnswer,
  RefundOrder,
  RefundRef,
} from '../port';
import { randomNonce } from '../sign';
import type { Transaction } from '../types';
import type { V2Answer, V2Client } from './client';
import {
  fen,
  isTradeState,
  readV2Notification,
  refundStatusFromV2,
  v2NotifyAnswer,
} from './notify';
import { paySignV2 } from './sign';
import type { V2SignType } from './sign';
import { rfc3339FromV2, v2Time } from './time';

/** WeChat: an order may not be closed within 5 minutes of being placed. */
export const V2_CLOSE_AFTER_MS = 5 * 60_000;
/** `body` is at most 128 bytes (UTF-8), not characters. */
const BODY_MAX_BYTES = 128;

export interface V2GatewayOptions {
  client: V2Client;
  appId: string;
  /** Other AppIDs bound to mchId that orders may be placed for (the cashier mini program). */
  extraAppIds?: readonly string[];
  mchId: string;
  key: string;
  signType: V2SignType;
  /** The business clock (the close rule is about WeChat's time, which tests move with it). */
  clock: Clock;
  notifyUrl: () => string;
  /**
   * `spbill_create_ip`: WeChat asks for the payer's IP on JSAPI; the order is a pure function
   * of the stored row (retries must match), so the server's own address is sent.
   */
  clientIp?: string;
}

/** Cuts to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

function toTransaction(a: V2Answer): Transaction {
  const state = a.trade_state;
  if (!isTradeState(state)) {
    throw new WechatPayError(`v2 query answered trade_state ${String(state)}`, {
      status: 502,
      verified: true,
    });
  }
  const total = fen(a.total_fee);
  const payerTotal = fen(a.cash_fee);
  const t: Transaction = {
    appid: a.appid ?? '',
    mchid: a.mch_id ?? '',
    out_trade_no: a.out_trade_no ?? '',
    trade_state: state,
  };
  if (a.trade_state_desc) t.trade_state_desc = a.trade_state_desc;
  if (a.transaction_id) t.transaction_id = a.transaction_id;
  const success = rfc3339FromV2(a.time_end);
  if (success) t.success_time = success;
  if (a.openid) t.payer = { openid: a.openid };
  if (total !== undefined)
    t.amount = { total, ...(payerTotal !== undefined ? { payer_total: payerTotal } : {}) };
  if (a.attach) t.attach = a.attach;
  return t;
}

export class V2Gateway implements PayGateway {
  readonly identity: { appId: string; mchId: string };
  readonly payerAppIds: readonly string[];
  readonly notifyContentTypes = ['text/xml', 'application/xml'] as const;

  constructor(private readonly o: V2GatewayOptions) {
    this.identity = { appId: o.appId, mchId: o.mchId };
    this.payerAppIds = [o.appId, ...(o.extraAppIds ?? [])];
  }

  /** Business fields of the unified order: identical for every retry of one stored order. */
  unifiedOrderFields(order: PrepayOrder): Record<string, string | number> {
    if (!this.payerAppIds.includes(order.appId))
      throw new Error(`order ${order.orderNo}: AppID ${order.appId} is not bound here`);
    return {
      // The order's own AppID (it overrides the client's default, the owner's).
      appid: order.appId,
      body: truncateUtf8(order.description, BODY_MAX_BYTES),
      out_trade_no: order.orderNo,
      fee_type: 'CNY',
      total_fee: order.total,
      spbill_create_ip: this.o.clientIp ?? '127.0.0.1',
      time_expire: v2Time(order.expiresAt),
      notify_url: this.o.notifyUrl(),
      trade_type: 'JSAPI',
      openid: order.openid,
    };
  }

  async prepay(order: PrepayOrder): Promise<string> {
    const a = await this.o.client.call('/pay/unifiedorder', this.unifiedOrderFields(order));
    if (!a.prepay_id) {
      throw new WechatPayError('unifiedorder answered without prepay_id', {
        status: 502,
        verified: true,
      });
    }
    return a.prepay_id;
  }

  /** v2 `paySign`: MD5 / HMAC-SHA256 over appId, nonceStr, package, signType, timeStamp. */
  paymentArgs(prepayId: string, appId: string): RequestPaymentArgs {
    const args = {
      // The AppID the order was placed for: WeChat checks the paying app against it.
      appId,
      timeStamp: String(Math.floor(Date.now() / 1000)),
      nonceStr: randomNonce(),
      package: `prepay_id=${prepayId}`,
      signType: this.o.signType,
    };
    return {
      timeStamp: args.timeStamp,
      nonceStr: args.nonceStr,
      package: args.package,
      signType: args.signType,
      paySign: paySignV2(args, this.o.key),
    };
  }

  /**
   * The appid that names an order at WeChat: the one it was placed under (unifiedorder's), the
   * owner app's when the row has none. An order is not found under any other AppID.
   */
  private appIdOf(ref: { appId: string | null }): string {
    return ref.appId ?? this.o.appId;
  }

  async query(order: OrderRef): Promise<Transaction> {
    return toTransaction(
      await this.o.client.call('/pay/orderquery', {
        appid: this.appIdOf(order),
        out_trade_no: order.orderNo,
      }),
    );
  }

  async close(order: OrderRef): Promise<'closed' | 'deferred'> {
    if (order.placedAt !== null && this.o.clock.now() - order.placedAt < V2_CLOSE_AFTER_MS) {
      return 'deferred';
    }
    try {
      await this.o.client.call('/pay/closeorder', {
        appid: this.appIdOf(order),
        out_trade_no: order.orderNo,
      });
    } catch (err) {
      // Closed already is what we wanted.
      if (err instanceof WechatPayError && err.code === 'ORDERCLOSED') return 'closed';
      throw err;
    }
    return 'closed';
  }

  async refund(r: RefundOrder): Promise<RefundAnswer> {
    const a = await this.o.client.call('/secapi/pay/refund', {
      appid: this.appIdOf(r),
      out_trade_no: r.orderNo,
      out_refund_no: r.outRefundNo,
      total_fee: r.total,
      refund_fee: r.amount,
      ...(r.reason ? { refund_desc: r.reason } : {}),
      notify_url: this.o.notifyUrl(),
    });
    // Accepted is not done: the refund job (or the notification) learns the outcome.
    return { status: 'PROCESSING', ...(a.refund_id ? { refundId: a.refund_id } : {}) };
  }

  async queryRefund(r: RefundRef): Promise<RefundAnswer> {
    const a = await this.o.client.call('/pay/refundquery', {
      appid: this.appIdOf(r),
      out_refund_no: r.outRefundNo,
    });
    const status = refundStatusFromV2(a.refund_status_0);
    if (!status || a.out_refund_no_0 !== r.outRefundNo) {
      throw new WechatPayError('refundquery answered without this refund', {
        status: 502,
        verified: true,
      });
    }
    return { status, ...(a.refund_id_0 ? { refundId: a.refund_id_0 } : {}) };
  }

  readNotification(_headers: IncomingHttpHeaders, raw: Buffer): PayNotification {
    return readV2Notification(raw, this.o.key, this.o.signType);
  }

  notifyAnswer(refusal?: { status: number; message: string }): NotifyAnswer {
    return v2NotifyAnswer(refusal);
  }

  destroy(): void {
    this.o.client.destroy();
  }
}
