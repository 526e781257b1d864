/**
 * WeChat Pay notifications: the scheme's adapter verifies and decrypts; here we check the transaction against the
 * order, apply it once (dedupe by notification id + conditional update in one transaction),
 * commit, and only then say 204.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { headerOf } from '../wechat/http-client';
import type { OrderRecords, OrderRow } from './order-records';
import type { Refunds } from './refunds';
import { PAYABLE_INTO_PAID, TransactionMismatch, checkTransaction, paidValues } from './settlement';
import type { Settlement } from './settlement';
import type { ServiceContext } from './context';
import { NotificationRejected } from '../wechat/pay/port';
import type { NotifyAnswer, PayNotification } from '../wechat/pay/port';
import type { RefundNotice, Transaction } from '../wechat/pay/types';

/** The notification fields the handlers log and dedupe by. */
type Notification = Pick<PayNotification, 'id' | 'eventType'>;

export class NotifyFailure extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export class NotifyService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly records: OrderRecords,
    private readonly settlement: Settlement,
    private readonly refunds: Refunds,
  ) {}

  /** The content types the scheme's notifications arrive in (kept raw for verification). */
  get contentTypes(): readonly string[] {
    return this.ctx.pay.notifyContentTypes;
  }

  /** The scheme's answer: taken (no argument) or refused. */
  answer(refusal?: { status: number; message: string }): NotifyAnswer {
    return this.ctx.pay.notifyAnswer(refusal);
  }

  async handle(headers: IncomingHttpHeaders, raw: Buffer): Promise<void> {
    let n: PayNotification;
    try {
      n = this.ctx.pay.readNotification(headers, raw);
    } catch (err) {
      if (err instanceof NotificationRejected) {
        if (err.reason) {
          this.ctx.logger.warn(
            { reason: err.reason, serial: headerOf(headers, 'wechatpay-serial') },
            'notification rejected',
          );
        }
        throw new NotifyFailure(err.status, err.message);
      }
      throw err;
    }
    if (n.kind === 'transaction') {
      await this.onTransaction(n, n.transaction);
    } else if (n.kind === 'refund') {
      await this.onRefund(n, n.refund);
    } else {
      this.ctx.logger.info(
        { id: n.id, eventType: n.eventType },
        'notification of an unhandled type',
      );
    }
  }

  private async onTransaction(n: Notification, t: Transaction): Promise<void> {
    if (typeof t?.out_trade_no !== 'string' || typeof t.trade_state !== 'string') {
      throw new NotifyFailure(400, 'transaction resource is incomplete');
    }
    const { mchId } = this.ctx.pay.identity;
    // The fast path is for our AppIDs only; recordPaid then checks the order's own (pay_appid).
    if (
      t.trade_state === 'SUCCESS' &&
      this.ctx.pay.payerAppIds.includes(t.appid) &&
      t.mchid === mchId &&
      // A number would match a TEXT column on SQLite: only a string (or none) goes to the SQL.
      (t.sub_mchid === undefined || typeof t.sub_mchid === 'string') &&
      typeof t.amount?.total === 'number'
    ) {
      await this.applySuccess(n, t, t.amount.total);
      return;
    }
    const row = await this.records.find(t.out_trade_no);
    if (!row) throw new NotifyFailure(404, `unknown out_trade_no ${t.out_trade_no}`);
    this.check(n, row, t);
    if (t.trade_state !== 'SUCCESS') {
      this.ctx.logger.info(
        { id: n.id, orderNo: row.order_no, state: t.trade_state },
        'non-success transaction notification',
      );
      return;
    }
    await this.applySuccess(n, t, row.total);
  }

  private check(n: Notification, row: OrderRow, t: Transaction): void {
    try {
      checkTransaction(this.ctx.pay.identity, row, t);
    } catch (err) {
      if (err instanceof TransactionMismatch) {
        this.ctx.logger.error(
          { id: n.id, orderNo: row.order_no, reason: err.message },
          'notification does not match the order',
        );
        throw new NotifyFailure(400, err.message);
      }
      throw err;
    }
  }

  /**
   * Records the notification id and marks the order paid, atomically and with no read on the
   * happy path (db/notifications.ts). When nothing was recorded, a read tells why (unknown order
   * or mismatch: the same answers as the checks above, nothing written; else a duplicate).
   */
  private async applySuccess(n: Notification, t: Transaction, total: number): Promise<void> {
    const orderNo = t.out_trade_no;
    const now = this.ctx.clock.now();
    const r = await this.ctx.storage.notifications.recordPaid({
      id: n.id,
      eventType: n.eventType,
      orderNo,
      total,
      app: { appId: t.appid, ownerAppId: this.ctx.pay.identity.appId },
      subMchId: t.sub_mchid ?? null,
      now,
      paid: paidValues(t, now),
      payableStates: PAYABLE_INTO_PAID,
    });
    if (!r.recorded) {
      await this.notRecorded(n, t);
      return;
    }
    if (r.paid) this.settlement.paidLog(orderNo, t);
  }

  /** Nothing was recorded: an unknown order (404), a mismatch (400), or a duplicate (fine). */
  private async notRecorded(n: Notification, t: Transaction): Promise<void> {
    const row = await this.records.find(t.out_trade_no);
    if (!row) throw new NotifyFailure(404, `unknown out_trade_no ${t.out_trade_no}`);
    this.check(n, row, t);
    this.ctx.logger.info({ id: n.id, orderNo: row.order_no }, 'duplicate notification');
  }

  private async onRefund(n: Notification, r: RefundNotice): Promise<void> {
    if (typeof r?.out_refund_no !== 'string' || typeof r.refund_status !== 'string') {
      throw new NotifyFailure(400, 'refund resource is incomplete');
    }
    if (r.mchid !== this.ctx.pay.identity.mchId)
      throw new NotifyFailure(400, `mchid ${r.mchid} is not ours`);
    const refund = await this.ctx.storage.refunds.find(r.out_refund_no);
    if (!refund) throw new NotifyFailure(404, `unknown out_refund_no ${r.out_refund_no}`);
    if (refund.order_no !== r.out_trade_no)
      throw new NotifyFailure(400, 'out_trade_no does not match the refund');
    if (this.ctx.config.payScheme === 'v3-partner') {
      // A refund of the provider's sub-merchant: it must be the order's own.
      const order = await this.records.find(refund.order_no);
      if ((r.sub_mchid ?? null) !== (order?.sub_mchid ?? null))
        throw new NotifyFailure(400, `sub_mchid ${String(r.sub_mchid)} is not the order's`);
    }
    // WeChat always sends the amount: a notice without it is as wrong as one that differs.
    if (r.amount?.refund !== refund.amount) {
      throw new NotifyFailure(400, 'refund amount is missing or does not match');
    }
    await this.refunds.setRefundStatus(r.out_refund_no, r.refund_status);
    this.ctx.logger.info(
      { id: n.id, outRefundNo: r.out_refund_no, status: r.refund_status },
      'refund notification',
    );
  }
}
