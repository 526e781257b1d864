/**
 * WeChat Pay notifications: verify the raw bytes, decrypt, check the transaction against the
 * order, apply it once (dedupe by notification id + conditional update in one transaction),
 * commit, and only then say 204.
 */
import type { OrderService } from './orders';
import { TransactionMismatch } from './orders';
import type { ServiceContext } from './context';
import { DecryptError, decryptResource } from '../wechatpay/aead';
import type { Notification, RefundNotice, Transaction } from '../wechatpay/types';
import { SignatureError, signatureHeaders, verifySignature } from '../wechatpay/verify';

export class NotifyFailure extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function isNotification(v: unknown): v is Notification {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Record<string, unknown>;
  const r = n.resource as Record<string, unknown> | undefined;
  return (
    typeof n.id === 'string' &&
    n.id.length > 0 &&
    n.id.length <= 64 &&
    typeof n.event_type === 'string' &&
    typeof r === 'object' &&
    r !== null &&
    typeof r.ciphertext === 'string' &&
    typeof r.nonce === 'string' &&
    typeof r.algorithm === 'string'
  );
}

export class NotifyService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly orders: OrderService,
  ) {}

  async handle(headers: Record<string, string | string[] | undefined>, raw: Buffer): Promise<void> {
    const header = (n: string): string | undefined => {
      const v = headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    try {
      verifySignature({
        headers: signatureHeaders(header),
        body: raw,
        keys: this.ctx.platformKeys,
        // Signature freshness is judged on the wall clock, like WeChat does.
        now: Math.floor(Date.now() / 1000),
        windowSeconds: this.ctx.config.notifyWindowSeconds,
      });
    } catch (err) {
      if (err instanceof SignatureError) {
        this.ctx.logger.warn(
          { reason: err.reason, serial: header('wechatpay-serial') },
          'notification rejected',
        );
        throw new NotifyFailure(401, `signature rejected: ${err.reason}`);
      }
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new NotifyFailure(400, 'body is not JSON');
    }
    if (!isNotification(body)) throw new NotifyFailure(400, 'not a WeChat Pay notification');
    let plain: string;
    try {
      plain = decryptResource(body.resource, this.ctx.config.apiV3Key);
    } catch (err) {
      if (err instanceof DecryptError)
        throw new NotifyFailure(400, `cannot decrypt resource: ${err.message}`);
      throw err;
    }
    let resource: unknown;
    try {
      resource = JSON.parse(plain);
    } catch {
      throw new NotifyFailure(400, 'resource is not JSON');
    }
    if (body.event_type.startsWith('TRANSACTION.')) {
      await this.onTransaction(body, resource as Transaction);
    } else if (body.event_type.startsWith('REFUND.')) {
      await this.onRefund(body, resource as RefundNotice);
    } else {
      this.ctx.logger.info(
        { id: body.id, eventType: body.event_type },
        'notification of an unhandled type',
      );
    }
  }

  private async onTransaction(n: Notification, t: Transaction): Promise<void> {
    if (typeof t?.out_trade_no !== 'string' || typeof t.trade_state !== 'string') {
      throw new NotifyFailure(400, 'transaction resource is incomplete');
    }
    const row = await this.orders.find(t.out_trade_no);
    if (!row) throw new NotifyFailure(404, `unknown out_trade_no ${t.out_trade_no}`);
    try {
      this.orders.checkTransaction(row, t);
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
    if (t.trade_state !== 'SUCCESS') {
      this.ctx.logger.info(
        { id: n.id, orderNo: row.order_no, state: t.trade_state },
        'non-success transaction notification',
      );
      return;
    }
    const now = this.ctx.clock.now();
    await this.ctx.storage.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('notifications')
        .values({ id: n.id, event_type: n.event_type, order_no: row.order_no, received_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        this.ctx.logger.info({ id: n.id, orderNo: row.order_no }, 'duplicate notification');
        return;
      }
      await this.orders.markPaid(row.order_no, t, now, trx);
    });
  }

  private async onRefund(n: Notification, r: RefundNotice): Promise<void> {
    if (typeof r?.out_refund_no !== 'string' || typeof r.refund_status !== 'string') {
      throw new NotifyFailure(400, 'refund resource is incomplete');
    }
    if (r.mchid !== this.ctx.config.mchId)
      throw new NotifyFailure(400, `mchid ${r.mchid} is not ours`);
    const refund = await this.ctx.storage.db
      .selectFrom('refunds')
      .selectAll()
      .where('out_refund_no', '=', r.out_refund_no)
      .executeTakeFirst();
    if (!refund) throw new NotifyFailure(404, `unknown out_refund_no ${r.out_refund_no}`);
    if (refund.order_no !== r.out_trade_no)
      throw new NotifyFailure(400, 'out_trade_no does not match the refund');
    if (r.amount?.refund !== undefined && r.amount.refund !== refund.amount) {
      throw new NotifyFailure(400, 'refund amount does not match');
    }
    await this.orders.setRefundStatus(r.out_refund_no, r.refund_status);
    this.ctx.logger.info(
      { id: n.id, outRefundNo: r.out_refund_no, status: r.refund_status },
      'refund notification',
    );
  }
}
