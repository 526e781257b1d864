/**
 * Orders: creation (idempotent), payment (bind payer, place or reuse the WeChat order, sign),
 * settlement from WeChat's word (query or notification), closing, refunds.
 * No database transaction is ever open while WeChat is being called.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { CreateOrderRequest, Order, OrderLine, RefundResponse } from '../../typings/api';
import type { RequestPaymentArgs } from '../../typings/payment';
import { PricingError, describe, priceItems } from '../catalog';
import type { OrdersTable } from '../db/schema';
import { ApiFailure, notFound } from '../errors';
import { isNotFound, isRefused, isVerifiedAnswer, isWechatPayError } from '../wechatpay/errors';
import { buildRequestPaymentArgs } from '../wechatpay/pay-sign';
import type { JsapiOrderRequest, RefundStatus, Transaction } from '../wechatpay/types';
import type { ServiceContext } from './context';
import { newOrderNo, newRefundNo, rfc3339Beijing } from './ids';
import { PAYABLE_INTO_PAID, TransactionMismatch, checkTransaction, paidValues } from './settlement';

export type OrderRow = Selectable<OrdersTable>;

const iso = (ms: number): string => new Date(ms).toISOString();

export function toApiOrder(row: OrderRow): Order {
  const order: Order = {
    orderNo: row.order_no,
    status: row.status,
    total: row.total,
    currency: 'CNY',
    items: JSON.parse(row.items_json) as OrderLine[],
    breakdown: {
      goods: row.goods,
      shipping: row.shipping,
      discount: row.discount,
      total: row.total,
    },
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
  };
  if (row.remark !== null) order.remark = row.remark;
  if (row.paid_at !== null) order.paidAt = iso(row.paid_at);
  if (row.transaction_id !== null) order.transactionId = row.transaction_id;
  if (row.refunded > 0) order.refunded = row.refunded;
  return order;
}

function requestHash(body: CreateOrderRequest): string {
  const canonical = JSON.stringify({
    items: body.items.map((i) => [i.sku, i.quantity]),
    remark: body.remark ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export class OrderService {
  /** One WeChat order placement per order at a time in this process. */
  private readonly placing = new Map<string, Promise<string>>();

  constructor(private readonly ctx: ServiceContext) {}

  private get db() {
    return this.ctx.storage.db;
  }

  async find(orderNo: string, db = this.db): Promise<OrderRow | undefined> {
    return db.selectFrom('orders').selectAll().where('order_no', '=', orderNo).executeTakeFirst();
  }

  async get(orderNo: string): Promise<OrderRow> {
    const row = await this.find(orderNo);
    if (!row) throw notFound(`order ${orderNo}`);
    return row;
  }

  async create(
    body: CreateOrderRequest,
    idempotencyKey: string | undefined,
  ): Promise<{ order: Order; created: boolean }> {
    const hash = requestHash(body);
    if (idempotencyKey) {
      const existing = await this.byKey(idempotencyKey, hash);
      if (existing) return { order: toApiOrder(existing), created: false };
    }
    let priced;
    try {
      priced = priceItems(body.items, this.ctx.config.maxOrderTotal);
    } catch (err) {
      if (err instanceof PricingError) throw new ApiFailure(400, 'VALIDATION_ERROR', err.message);
      throw err;
    }
    const now = this.ctx.clock.now();
    const row: OrderRow = {
      order_no: newOrderNo(now),
      status: 'pending',
      goods: priced.breakdown.goods,
      shipping: priced.breakdown.shipping,
      discount: priced.breakdown.discount,
      total: priced.breakdown.total,
      items_json: JSON.stringify(priced.lines),
      remark: body.remark ?? null,
      description: describe(priced.lines),
      idempotency_key: idempotencyKey ?? null,
      request_hash: hash,
      openid: null,
      prepay_id: null,
      prepay_at: null,
      transaction_id: null,
      paid_at: null,
      refunded: 0,
      created_at: now,
      expires_at: now + this.ctx.config.orderTtlSeconds * 1000,
      updated_at: now,
      last_query_at: null,
      next_check_at: now,
      claimed_until: null,
    };
    try {
      await this.db.insertInto('orders').values(row).execute();
    } catch (err) {
      // A concurrent request with the same key won the insert: answer what it created.
      if (idempotencyKey) {
        const existing = await this.byKey(idempotencyKey, hash);
        if (existing) return { order: toApiOrder(existing), created: false };
      }
      throw err;
    }
    return { order: toApiOrder(row), created: true };
  }

  private async byKey(key: string, hash: string): Promise<OrderRow | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (row && row.request_hash !== hash) {
      throw new ApiFailure(
        409,
        'IDEMPOTENCY_CONFLICT',
        'this Idempotency-Key was used with a different body',
      );
    }
    return row;
  }

  /** Who may see an order: its payer once bound; before that, anyone holding its number. */
  assertViewer(row: OrderRow, openid: string): void {
    if (row.openid !== null && row.openid !== openid) {
      throw new ApiFailure(403, 'FORBIDDEN', 'this order belongs to another payer');
    }
  }

  async pay(orderNo: string, openid: string): Promise<RequestPaymentArgs> {
    const now = this.ctx.clock.now();
    // The first pay, in one statement: bind a payable, unbound order and read it back. Anything
    // else (bound already, not payable, unknown) is sorted out from a plain read below.
    let row = await this.db
      .updateTable('orders')
      .set({ openid, updated_at: now })
      .where('order_no', '=', orderNo)
      .where('openid', 'is', null)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (!row) row = await this.bindSlow(orderNo, openid);
    const prepayId = await this.ensurePrepay(row);
    return buildRequestPaymentArgs({
      appId: this.ctx.config.appId,
      prepayId,
      privateKey: this.ctx.merchantKey,
      timestamp: Date.now() / 1000,
    });
  }

  private async bindSlow(orderNo: string, openid: string): Promise<OrderRow> {
    let row = await this.get(orderNo);
    this.assertViewer(row, openid);
    this.assertPayable(row);
    if (row.openid === null) {
      await this.db
        .updateTable('orders')
        .set({ openid, updated_at: this.ctx.clock.now() })
        .where('order_no', '=', orderNo)
        .where('openid', 'is', null)
        .execute();
      row = await this.get(orderNo);
      // Another payer bound it between our read and our update.
      this.assertViewer(row, openid);
    }
    return row;
  }

  private assertPayable(row: OrderRow): void {
    if (row.status !== 'pending') {
      throw new ApiFailure(409, 'ORDER_NOT_PAYABLE', `order ${row.order_no} is ${row.status}`);
    }
    if (row.expires_at <= this.ctx.clock.now()) {
      throw new ApiFailure(409, 'ORDER_NOT_PAYABLE', `order ${row.order_no} has expired`);
    }
  }

  /** The JSAPI body is a pure function of the stored order: any retry sends identical parameters. */
  jsapiBody(row: OrderRow, openid: string): JsapiOrderRequest {
    return {
      appid: this.ctx.config.appId,
      mchid: this.ctx.config.mchId,
      description: row.description,
      out_trade_no: row.order_no,
      time_expire: rfc3339Beijing(row.expires_at),
      notify_url: this.ctx.notifyUrl(),
      amount: { total: row.total, currency: 'CNY' },
      payer: { openid },
    };
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
      ({ prepay_id: prepayId } = await this.ctx.pay.createJsapi(this.jsapiBody(row, row.openid)));
    } catch (err) {
      if (isRefused(err)) {
        // WeChat refused: perhaps it is paid or closed already. Learn the truth before answering.
        const settled = await this.get(row.order_no)
          .then((current) => this.refresh(current, true))
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
    await this.db
      .updateTable('orders')
      .set({
        prepay_id: prepayId,
        prepay_at: now,
        updated_at: now,
        next_check_at: now + this.ctx.config.queryDelaySeconds * 1000,
      })
      .where('order_no', '=', row.order_no)
      .where('status', '=', 'pending')
      .execute();
    return prepayId;
  }

  /**
   * Asks WeChat for the order's state and applies it. Rate-limited per order unless forced;
   * orders never sent to WeChat are answered as they are. `row` is the caller's fresh read.
   */
  async refresh(row: OrderRow, force = false): Promise<OrderRow> {
    const orderNo = row.order_no;
    if (row.status !== 'pending' || row.prepay_id === null) return row;
    const now = this.ctx.clock.now();
    let claim = this.db
      .updateTable('orders')
      .set({ last_query_at: now })
      .where('order_no', '=', orderNo);
    if (!force) {
      claim = claim.where((eb) =>
        eb.or([
          eb('last_query_at', 'is', null),
          eb('last_query_at', '<=', now - this.ctx.config.orderQueryIntervalMs),
        ]),
      );
    }
    const claimed = await claim.executeTakeFirst();
    if (!force && Number(claimed.numUpdatedRows) === 0) return row;
    const tx = await this.ctx.pay.queryByOutTradeNo(orderNo);
    await this.applyTransaction(row, tx);
    return this.get(orderNo);
  }

  /**
   * Applies WeChat's account of a payment after checking it is about this order, and says which
   * way it went.
   */
  async applyTransaction(
    row: OrderRow,
    t: Transaction,
    at?: number,
  ): Promise<'closed' | 'paid' | 'pending'> {
    checkTransaction(this.ctx.config, row, t);
    const now = at ?? this.ctx.clock.now();
    if (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND') {
      await this.markPaid(row.order_no, t, now);
      return 'paid';
    }
    if (t.trade_state === 'CLOSED' || t.trade_state === 'REVOKED') {
      await this.closePending(row.order_no, now);
      return 'closed';
    }
    return 'pending';
  }

  /** pending → closed; a no-op once the order has moved on (a payment landed meanwhile). */
  private async closePending(
    orderNo: string,
    now: number,
    only: { withoutPrepay?: boolean } = {},
  ): Promise<boolean> {
    let q = this.db
      .updateTable('orders')
      .set({ status: 'closed', updated_at: now })
      .where('order_no', '=', orderNo)
      .where('status', '=', 'pending');
    if (only.withoutPrepay) q = q.where('prepay_id', 'is', null);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** A payment that raced a close still wins: closed → paid is allowed, paid twice is a no-op. */
  async markPaid(orderNo: string, t: Transaction, now: number, db = this.db): Promise<boolean> {
    const r = await db
      .updateTable('orders')
      .set(paidValues(t, now))
      .where('order_no', '=', orderNo)
      .where('status', 'in', PAYABLE_INTO_PAID)
      .executeTakeFirst();
    const changed = Number(r.numUpdatedRows) === 1;
    if (changed) this.paidLog(orderNo, t);
    return changed;
  }

  paidLog(orderNo: string, t: Transaction): void {
    this.ctx.logger.info({ orderNo, transactionId: t.transaction_id }, 'order paid');
  }

  /** Close flow for an expired pending order: close through WeChat, then query to confirm. */
  async closeExpired(row: OrderRow): Promise<'closed' | 'paid' | 'pending'> {
    const now = this.ctx.clock.now();
    if (row.prepay_id === null) {
      const closed = await this.closePending(row.order_no, now, { withoutPrepay: true });
      return closed ? 'closed' : 'pending';
    }
    try {
      await this.ctx.pay.close(row.order_no);
    } catch (err) {
      // Paid orders refuse to close; the query below tells which case this is.
      if (!isVerifiedAnswer(err)) throw err;
    }
    let t: Transaction;
    try {
      t = await this.ctx.pay.queryByOutTradeNo(row.order_no);
    } catch (err) {
      if (isNotFound(err)) {
        await this.closePending(row.order_no, now);
        return 'closed';
      }
      throw err;
    }
    return this.applyTransaction(row, t, now);
  }

  async refund(
    orderNo: string,
    amount: number | undefined,
    reason: string | undefined,
  ): Promise<RefundResponse> {
    const now = this.ctx.clock.now();
    const outRefundNo = newRefundNo(now);
    // Short transaction: lock the order row (PostgreSQL), check what is left, record the refund.
    const { row, refundAmount } = await this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('orders').selectAll().where('order_no', '=', orderNo);
      if (this.ctx.storage.dialect === 'postgres') q = q.forUpdate();
      const order = await q.executeTakeFirst();
      if (!order) throw notFound(`order ${orderNo}`);
      if (order.status !== 'paid') {
        throw new ApiFailure(
          400,
          'VALIDATION_ERROR',
          `order ${orderNo} is ${order.status}: only paid orders can be refunded`,
        );
      }
      const committed = await trx
        .selectFrom('refunds')
        .select(sql<number>`coalesce(sum(amount), 0)`.as('sum'))
        .where('order_no', '=', orderNo)
        .where('status', 'in', ['processing', 'success'])
        .executeTakeFirstOrThrow();
      const left = order.total - Number(committed.sum);
      const want = amount ?? left;
      if (want < 1 || want > left) {
        throw new ApiFailure(
          400,
          'VALIDATION_ERROR',
          `refund amount must be between 1 and ${left} fen`,
        );
      }
      await trx
        .insertInto('refunds')
        .values({
          out_refund_no: outRefundNo,
          order_no: orderNo,
          amount: want,
          status: 'processing',
          reason: reason ?? null,
          refund_id: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { row: order, refundAmount: want };
    });
    let status: RefundStatus;
    try {
      const r = await this.ctx.pay.refund({
        out_trade_no: orderNo,
        out_refund_no: outRefundNo,
        ...(reason ? { reason } : {}),
        notify_url: this.ctx.notifyUrl(),
        amount: { refund: refundAmount, total: row.total, currency: 'CNY' },
      });
      status = r.status;
      if (r.refund_id) {
        await this.db
          .updateTable('refunds')
          .set({ refund_id: r.refund_id })
          .where('out_refund_no', '=', outRefundNo)
          .execute();
      }
    } catch (err) {
      if (isRefused(err)) {
        await this.setRefundStatus(outRefundNo, 'CLOSED');
      }
      throw upstream(err);
    }
    await this.setRefundStatus(outRefundNo, status);
    return { orderNo, outRefundNo, amount: refundAmount, status: refundStatusName(status) };
  }

  /** Asks WeChat about a refund still processing (lost notification or lost answer). */
  async refreshRefund(outRefundNo: string): Promise<void> {
    try {
      const r = await this.ctx.pay.queryRefund(outRefundNo);
      await this.setRefundStatus(outRefundNo, r.status);
    } catch (err) {
      // Never created at WeChat (the request was lost before it arrived): nothing to wait for.
      if (isNotFound(err)) {
        await this.setRefundStatus(outRefundNo, 'CLOSED');
        return;
      }
      throw err;
    }
  }

  /** Idempotent: a refund counts toward the order once, however many times SUCCESS arrives. */
  async setRefundStatus(outRefundNo: string, status: RefundStatus): Promise<boolean> {
    const name = refundStatusName(status);
    const now = this.ctx.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('refunds')
        .set({ status: name, updated_at: now })
        .where('out_refund_no', '=', outRefundNo)
        .where('status', 'in', ['processing', 'abnormal'])
        .where('status', '!=', name)
        .returning(['order_no', 'amount'])
        .executeTakeFirst();
      if (!r) return false;
      if (name === 'success') {
        await trx
          .updateTable('orders')
          .set({
            refunded: sql<number>`refunded + ${r.amount}`,
            status: sql<
              'paid' | 'refunded'
            >`case when refunded + ${r.amount} >= total then 'refunded' else status end`,
            updated_at: now,
          })
          .where('order_no', '=', r.order_no)
          .execute();
      }
      return true;
    });
  }
}

export function refundStatusName(s: RefundStatus): RefundResponse['status'] {
  switch (s) {
    case 'SUCCESS':
      return 'success';
    case 'CLOSED':
      return 'closed';
    case 'ABNORMAL':
      return 'abnormal';
    default:
      return 'processing';
  }
}

export function upstream(err: unknown): Error {
  if (err instanceof ApiFailure) return err;
  if (isWechatPayError(err)) {
    return new ApiFailure(
      502,
      'UPSTREAM_ERROR',
      `WeChat Pay: ${err.code ?? (err.status || 'unreachable')}`,
    );
  }
  if (err instanceof TransactionMismatch)
    return new ApiFailure(502, 'UPSTREAM_ERROR', 'WeChat Pay answered for another order');
  return err instanceof Error ? err : new Error(String(err));
}
