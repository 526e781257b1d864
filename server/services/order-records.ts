/**
 * Order records: the idempotent create (priced from the catalogue), reads, and who may see one.
 */
import { createHash } from 'node:crypto';
import type { CreateOrderRequest, CreatedOrder, Order, OrderLine } from '../../typings/api';
import { PricingError, describe, priceItems } from '../catalog';
import type { OrderRow } from '../db/orders';
import { ApiFailure, notFound } from '../errors';
import type { ServiceContext } from './context';
import { newOrderNo } from './ids';
import {
  clientScope,
  hashOrderToken,
  orderToken,
  scopedIdempotencyKey,
  tokenOpens,
} from './order-access';

/** What a request shows of who is asking: a session's openid, an order token, both or neither. */
export interface Access {
  openid?: string;
  token?: string;
}

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
  if (row.host_appid !== null) order.hostAppId = row.host_appid;
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

  /**
   * `openid` is the creator's session, when it sent one: it scopes the idempotency key.
   * `hostAppId` is the host mini program WeChat vouched for (plugins/host-app.ts), if any.
   */
  async create(
    body: CreateOrderRequest,
    idempotencyKey: string | undefined,
    openid?: string,
    hostAppId?: string,
  ): Promise<{ order: CreatedOrder; created: boolean }> {
    const hash = requestHash(body);
    const scope = clientScope(openid);
    const storedKey =
      idempotencyKey === undefined ? null : scopedIdempotencyKey(scope, idempotencyKey);
    const replay = (row: OrderRow) => ({
      order: { ...toApiOrder(row), orderToken: orderToken(row.order_no, scope, idempotencyKey) },
      created: false,
    });
    if (storedKey) {
      const existing = await this.byKey(storedKey, hash);
      if (existing) return replay(existing);
    }
    let priced;
    try {
      priced = priceItems(body.items, this.ctx.config.maxOrderTotal);
    } catch (err) {
      if (err instanceof PricingError) throw new ApiFailure(400, 'VALIDATION_ERROR', err.message);
      throw err;
    }
    // Partner mode: an unknown or disabled sub-merchant refuses the order before it exists.
    const subMchId = this.ctx.subMerchants.forNewOrder(hostAppId);
    const now = this.ctx.clock.now();
    const orderNo = newOrderNo(now);
    const token = orderToken(orderNo, scope, idempotencyKey);
    const row: OrderRow = {
      order_no: orderNo,
      status: 'pending',
      goods: priced.breakdown.goods,
      shipping: priced.breakdown.shipping,
      discount: priced.breakdown.discount,
      total: priced.breakdown.total,
      items_json: JSON.stringify(priced.lines),
      remark: body.remark ?? null,
      description: describe(priced.lines),
      idempotency_key: storedKey,
      request_hash: hash,
      access_hash: hashOrderToken(token),
      host_appid: hostAppId ?? null,
      sub_mchid: subMchId,
      channel: null,
      openid: null,
      // Bound with the payer on the first pay.
      pay_appid: null,
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
      if (storedKey) {
        const existing = await this.byKey(storedKey, hash);
        if (existing) return replay(existing);
      }
      throw err;
    }
    return { order: { ...toApiOrder(row), orderToken: token }, created: true };
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

  /**
   * Who may see an order: whoever holds its token (its creator), and its payer once bound.
   * The number alone opens nothing, so a leaked or guessed number reveals no remark.
   */
  assertViewer(row: OrderRow, access: Access): void {
    if (tokenOpens(row.access_hash, access.token)) return;
    if (row.openid !== null && row.openid === access.openid) return;
    throw this.refusal(row, access);
  }

  /** Who may pay (and so bind) an order: its bound payer, or a payer holding the token. */
  assertPayer(row: OrderRow, access: Required<Pick<Access, 'openid'>> & Access): void {
    if (
      row.openid !== null ? row.openid === access.openid : tokenOpens(row.access_hash, access.token)
    ) {
      return;
    }
    throw this.refusal(row, access);
  }

  private refusal(row: OrderRow, access: Access): ApiFailure {
    if (access.openid === undefined && access.token === undefined) {
      return new ApiFailure(
        401,
        'UNAUTHORIZED',
        "send the payer's session (Authorization) or the order's token (X-Order-Token)",
      );
    }
    if (row.openid !== null && access.openid !== undefined) {
      return new ApiFailure(403, 'FORBIDDEN', 'this order belongs to another payer');
    }
    return new ApiFailure(
      403,
      'FORBIDDEN',
      access.token === undefined
        ? 'this order has no payer yet: its order token (X-Order-Token) is needed'
        : 'the order token does not open this order',
    );
  }
}
