/**
 * API v3 as a service provider (服务商): orders are placed for a sub-merchant, who is paid
 * straight into its own account. The payer is the owner app's user (`sp_appid` + `sp_openid`),
 * which is what the payment functional page's `wx.login` gives. Answers are mapped into the
 * normalised transaction (sp_appid → appid, sp_mchid → mchid, sub_mchid kept) so settlement
 * checks provider and sub-merchant with its one rule.
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
import { NotificationRejected } from './port';
import type {
  PartnerJsapiOrderRequest,
  PartnerRefundNotice,
  PartnerTransaction,
  RefundNotice,
  Transaction,
} from './types';
import { V3GatewayBase, rfc3339Beijing } from './v3-base';
import type { V3Options } from './v3-base';

export interface V3PartnerOptions extends V3Options {
  /** The provider's AppID (sp_appid): the owner mini program the payer signed in to. */
  spAppId: string;
  spMchId: string;
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

export class V3PartnerGateway extends V3GatewayBase implements PayGateway {
  /** The provider: sp_appid (so paySign is over the AppID of sp_openid) and sp_mchid. */
  readonly identity: { appId: string; mchId: string };
  /** sp_appid only: a second app would be a sub_appid, which this adapter does not place. */
  readonly payerAppIds: readonly string[];

  constructor(private readonly o: V3PartnerOptions) {
    super(o);
    this.identity = { appId: o.spAppId, mchId: o.spMchId };
    this.payerAppIds = [o.spAppId];
  }

  /** A pure function of the stored order, so every retry sends identical parameters. */
  jsapiBody(order: PrepayOrder): PartnerJsapiOrderRequest {
    if (order.appId !== this.o.spAppId)
      throw new Error(`partner mode: order ${order.orderNo} cannot be placed for ${order.appId}`);
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

  refund(r: RefundOrder): Promise<RefundAnswer> {
    return this.placeRefund(r, { sub_mchid: requireSub(r.subMchId, `refund ${r.outRefundNo}`) });
  }

  async queryRefund(r: RefundRef): Promise<RefundAnswer> {
    const sub = requireSub(r.subMchId, `refund ${r.outRefundNo}`);
    return { status: (await this.o.client.queryRefund(r.outRefundNo, sub)).status };
  }

  readNotification(headers: IncomingHttpHeaders, raw: Buffer): PayNotification {
    const n = this.openNotification(headers, raw);
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
}
