/**
 * Order records: the idempotent create (priced from the catalogue), reads, and who may see one.
 */
import { createHash } from 'node:crypto';
import type { CreateOrderRequest, Order, OrderLine } from '../../typings/api';
import { PricingError, describe, priceItems } from '../catalog';
import type { OrderRow } from '../db/orders';
import { ApiFailure, notFound } from '../errors';
import type { ServiceContext } from './context';
import { newOrderNo } from './ids';

export type { OrderRow };

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

export class OrderRecords {
  constructor(private readonly ctx: ServiceContext) {}

  find(orderNo: string): Promise<OrderRow | undefined> {
    return this.ctx.storage.orders.find(orderNo);
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
      await this.ctx.storage.orders.insert(row);
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
    const row = await this.ctx.storage.orders.findByIdempotencyKey(key);
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
}
