/**
 * The WeChat Pay port: everything the services need from a payment scheme, in the services'
 * own terms. One adapter per scheme implements it (today `v3-direct.ts`, API v3 as a direct
 * merchant); the composition root (`app.ts`) picks the adapter, so checkout, settlement and
 * refunds never branch on the scheme.
 *
 * Transactions and refunds come back in the v3 shape (`types.ts`), which is the normalised
 * account of a payment here: an adapter for another scheme maps its answers into it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestPaymentArgs } from '../../../typings/payment';
import type { RefundNotice, RefundStatus, Transaction } from './types';

/** What WeChat needs to know to place (or re-place, identically) an order. */
export interface PrepayOrder {
  orderNo: string;
  description: string;
  /** Integer fen. */
  total: number;
  expiresAt: number;
  /** Payer's openid under the AppID the order is placed for. */
  openid: string;
}

export interface RefundOrder {
  orderNo: string;
  outRefundNo: string;
  /** Integer fen: this refund, and the order's total. */
  amount: number;
  total: number;
  reason?: string;
}

export interface RefundAnswer {
  status: RefundStatus;
  refundId?: string;
}

/** A verified, decrypted notification. */
export type PayNotification =
  | { id: string; eventType: string; kind: 'transaction'; transaction: Transaction }
  | { id: string; eventType: string; kind: 'refund'; refund: RefundNotice }
  | { id: string; eventType: string; kind: 'other' };

/** A notification refused before it touched any order: answered with `status`. */
export class NotificationRejected extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export interface PayGateway {
  /** Places the order at WeChat (same parameters on every retry) and returns its prepay id. */
  prepay(order: PrepayOrder): Promise<string>;
  /** The signed `wx.requestPayment` arguments for a prepay. */
  paymentArgs(prepayId: string): RequestPaymentArgs;
  query(orderNo: string): Promise<Transaction>;
  /** Closes at WeChat; an order WeChat never saw closes quietly too. */
  close(orderNo: string): Promise<void>;
  refund(r: RefundOrder): Promise<RefundAnswer>;
  queryRefund(outRefundNo: string): Promise<RefundAnswer>;
  /** Verifies and decrypts a notification's raw bytes; throws NotificationRejected. */
  readNotification(headers: IncomingHttpHeaders, raw: Buffer): PayNotification;
  /** Who we are at WeChat: a transaction for anyone else is not ours. */
  readonly identity: { appId: string; mchId: string };
  destroy(): void;
}
