/**
 * API v3, direct merchant (the default scheme): the JSAPI body and endpoints; paySign, refunds
 * and notification verify + decrypt come from `v3-base.ts`, shared with partner mode.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type {
  OrderRef,
  PayGateway,
  PayNotification,
  PrepayOrder,
  RefundAnswer,
  RefundOrder,
  RefundRef,
} from './port';
import type { JsapiOrderRequest, RefundNotice, Transaction } from './types';
import { V3GatewayBase, rfc3339Beijing } from './v3-base';
import type { V3Options } from './v3-base';

export interface V3DirectOptions extends V3Options {
  appId: string;
  mchId: string;
  /** Other AppIDs bound to mchId that orders may be placed for (the cashier mini program). */
  extraAppIds?: readonly string[];
}

export class V3DirectGateway extends V3GatewayBase implements PayGateway {
  readonly identity: { appId: string; mchId: string };
  readonly payerAppIds: readonly string[];

  constructor(private readonly o: V3DirectOptions) {
    super(o);
    this.identity = { appId: o.appId, mchId: o.mchId };
    this.payerAppIds = [o.appId, ...(o.extraAppIds ?? [])];
  }

  /** The JSAPI body is a pure function of the stored order: any retry sends identical parameters. */
  jsapiBody(order: PrepayOrder): JsapiOrderRequest {
    // Checkout refuses other apps first; this guards the port's contract all the same.
    if (!this.payerAppIds.includes(order.appId))
      throw new Error(`order ${order.orderNo}: AppID ${order.appId} is not bound here`);
    return {
      appid: order.appId,
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

  query(order: OrderRef): Promise<Transaction> {
    return this.o.client.queryByOutTradeNo(order.orderNo);
  }

  async close(order: OrderRef): Promise<'closed'> {
    await this.o.client.close(order.orderNo);
    return 'closed';
  }

  refund(r: RefundOrder): Promise<RefundAnswer> {
    return this.placeRefund(r);
  }

  async queryRefund(r: RefundRef): Promise<RefundAnswer> {
    return { status: (await this.o.client.queryRefund(r.outRefundNo)).status };
  }

  readNotification(headers: IncomingHttpHeaders, raw: Buffer): PayNotification {
    const n = this.openNotification(headers, raw);
    const base = { id: n.id, eventType: n.eventType };
    if (n.eventType.startsWith('TRANSACTION.')) {
      return { ...base, kind: 'transaction', transaction: n.resource as Transaction };
    }
    if (n.eventType.startsWith('REFUND.')) {
      return { ...base, kind: 'refund', refund: n.resource as RefundNotice };
    }
    return { ...base, kind: 'other' };
  }
}
