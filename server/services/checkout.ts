/**
 * Checkout: bind the payer to an order, place or reuse its WeChat order (one placement at a time
 * per order), and hand back signed payment arguments. Nothing is held open while WeChat answers.
 */
import type { RequestPaymentArgs } from '../../typings/payment';
import { bindChannel, channelConflict } from '../aggregator/channel';
import { ApiFailure } from '../errors';
import { isRefused } from '../wechat/pay/errors';
import type { ServiceContext } from './context';
import { hashOrderToken } from './order-access';
import type { Access, OrderRecords, OrderRow } from './order-records';
import type { Settlement } from './settlement';
import { upstream } from './upstream';

export class Checkout {
  /** One WeChat order placement per order at a time in this process. */
  private readonly placing = new Map<string, Promise<string>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly records: OrderRecords,
    private readonly settlement: Settlement,
  ) {}

  private get orders() {
    return this.ctx.storage.orders;
  }

  /**
   * Refuses, before anything is written, a payer app the payment scheme cannot place orders
   * for (partner mode knows only sp_appid: a cashier AppID would need sub_appid).
   */
  assertPayerApp(appId: string): void {
    if (!this.ctx.pay.payerAppIds.includes(appId)) {
      throw new ApiFailure(
        403,
        'FORBIDDEN',
        `paying under AppID ${appId} is not supported by this payment scheme` +
          ' (partner mode pays only under the owner AppID: sub_appid is not supported)',
      );
    }
  }

  /**
   * `payer` is the session's openid and the AppID it was issued under; `token` is the order's
   * capability token, needed only while the order has no payer.
   */
  async pay(
    orderNo: string,
    payer: { openid: string; appId: string },
    token?: string,
  ): Promise<RequestPaymentArgs> {
    this.assertPayerApp(payer.appId);
    const now = this.ctx.clock.now();
    const { openid } = payer;
    const access = { openid, token };
    const bound = { openid, payAppId: payer.appId };
    // The first pay, in one statement: bind a payable, unbound order its token opens and read it
    // back. Anything else (bound already, not payable, unknown, wrong token) is sorted out from a
    // plain read below.
    let row =
      token === undefined
        ? undefined
        : await this.orders.bindPayer(orderNo, bound, hashOrderToken(token), now, now);
    if (!row) row = await this.bindSlow(orderNo, access, payer.appId);
    // The first bind above fixed the WeChat channel too; an order that has a payer from before
    // channels existed is bound here (refused if a jump-out took it meanwhile).
    if (row.channel !== 'wechat') row = await bindChannel(this.ctx, this.records, row, 'wechat');
    // Partner mode: a sub-merchant disabled since the order was made takes no more money.
    this.ctx.subMerchants.assertPayable(row.sub_mchid);
    const prepayId = await this.ensurePrepay(row);
    // Signed over the AppID the order was placed for, which is the one the payer pays in.
    return this.ctx.pay.paymentArgs(prepayId, this.payAppId(row));
  }

  /** The AppID an order is (to be) paid under: null is the owner app (rows from before 0006). */
  private payAppId(row: OrderRow): string {
    return row.pay_appid ?? this.ctx.config.appId;
  }

  private async bindSlow(
    orderNo: string,
    access: Access & { openid: string },
    appId: string,
  ): Promise<OrderRow> {
    let row = await this.records.get(orderNo);
    this.assertSameApp(row, appId);
    this.records.assertPayer(row, access);
    this.assertPayable(row);
    if (row.channel === 'aggregator') throw channelConflict(row.order_no, row.channel);
    if (row.openid === null && access.token !== undefined) {
      const hash = hashOrderToken(access.token);
      const payer = { openid: access.openid, payAppId: appId };
      await this.orders.bindPayer(orderNo, payer, hash, this.ctx.clock.now());
      row = await this.records.get(orderNo);
      // Another payer bound it between our read and our update.
      this.assertSameApp(row, appId);
      this.records.assertPayer(row, access);
    }
    return row;
  }

  /**
   * An order bound to a payer is paid under that payer's AppID only: a session of the other
   * mini program is refused (its prepay would be for the wrong app), and nothing is changed.
   * For the shopper that is the other channel (plugin vs the half-screen cashier): 409.
   */
  private assertSameApp(row: OrderRow, appId: string): void {
    if (row.openid !== null && this.payAppId(row) !== appId) {
      throw new ApiFailure(
        409,
        'CHANNEL_CONFLICT',
        `order ${row.order_no} is being paid in another mini program (AppID ${this.payAppId(row)})`,
      );
    }
  }

  private assertPayable(row: OrderRow): void {
    if (row.status !== 'pending') {
      throw new ApiFailure(409, 'ORDER_NOT_PAYABLE', `order ${row.order_no} is ${row.status}`);
    }
    if (row.expires_at <= this.ctx.clock.now()) {
      throw new ApiFailure(409, 'ORDER_NOT_PAYABLE', `order ${row.order_no} has expired`);
    }
  }

  private ensurePrepay(row: OrderRow): Promise<string> {
    const fresh = this.reusablePrepay(row);
    if (fresh) return Promise.resolve(fresh);
    const inflight = this.placing.get(row.order_no);
    if (inflight) return inflight;
    const p = this.placePrepay(row).finally(() => this.placing.delete(row.order_no));
    this.placing.set(row.order_no, p);
    return p;
  }

  private reusablePrepay(row: OrderRow): string | undefined {
    if (row.prepay_id === null || row.prepay_at === null) return undefined;
    const age = this.ctx.clock.now() - row.prepay_at;
    return age < this.ctx.config.prepayReuseSeconds * 1000 ? row.prepay_id : undefined;
  }

  private async placePrepay(row: OrderRow): Promise<string> {
    if (row.openid === null) throw new Error('placing a WeChat order needs a bound payer');
    let prepayId: string;
    try {
      prepayId = await this.ctx.pay.prepay({
        orderNo: row.order_no,
        description: row.description,
        total: row.total,
        expiresAt: row.expires_at,
        openid: row.openid,
        appId: this.payAppId(row),
        subMchId: row.sub_mchid,
      });
    } catch (err) {
      if (isRefused(err)) {
        // WeChat refused: perhaps it is paid or closed already. Learn the truth before answering.
        const settled = await this.records
          .get(row.order_no)
          .then((current) => this.settlement.refresh(current, true))
          .catch(() => undefined);
        if (settled && settled.status !== 'pending') {
          throw new ApiFailure(
            409,
            'ORDER_NOT_PAYABLE',
            `order ${row.order_no} is ${settled.status}`,
          );
        }
      }
      throw upstream(err);
    }
    const now = this.ctx.clock.now();
    // WeChat answers an identical request inside the 2 h with the same prepay_id, whose life
    // runs from when it was first made: keep that age, or an expired prepay would look fresh.
    if (prepayId === row.prepay_id) return prepayId;
    await this.orders.setPrepay(
      row.order_no,
      prepayId,
      now,
      // Never later than expiry: the close job must see the order within an interval of it.
      Math.min(now + this.ctx.config.queryDelaySeconds * 1000, row.expires_at),
    );
    return prepayId;
  }
}
