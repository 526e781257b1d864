/**
 * The WeChat Pay port: everything the services need from a payment scheme, in the services'
 * own terms. One adapter per scheme implements it (today `v3-direct.ts`, API v3 as a direct
 * merchant); the composition root (`app.ts`) picks the adapter, so checkout, settlement and
 * refunds never branch on the scheme.
 *
 * Transactions and refunds come back in the v3 shape (`types.ts`), which is the normalised
 * account of a payment here: an adapter for another scheme maps its answers into it (partner
 * mode's sp_appid / sp_mchid become appid / mchid and its sub_mchid is kept; API v2's XML fields
 * become the v3 names).
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
  /** Payer's openid under `appId`. */
  openid: string;
  /**
   * The AppID the order is placed for (JSAPI `appid`): the owner app, or the cashier mini
   * program's when the payer signed in there. One of the gateway's `payerAppIds`.
   */
  appId: string;
  /** Partner mode: the sub-merchant the order pays (null for the other schemes). */
  subMchId: string | null;
}

/** How an adapter names an order it already placed. */
export interface OrderRef {
  orderNo: string;
  subMchId: string | null;
  /**
   * The AppID the order was placed under; null = the owner app (rows from before the cashier
   * mini program). API v2 names the order with it (appid); API v3 ignores it.
   */
  appId: string | null;
  /** When the current prepay was made (API v2 may not close an order within 5 minutes of it). */
  placedAt: number | null;
}

export interface RefundOrder {
  orderNo: string;
  outRefundNo: string;
  /** Integer fen: this refund, and the order's total. */
  amount: number;
  total: number;
  reason?: string;
  subMchId: string | null;
  /**
   * The AppID the order was placed under; null = the owner app (rows from before the cashier
   * mini program). API v2 names the order with it (appid); API v3 ignores it.
   */
  appId: string | null;
}

export interface RefundRef {
  outRefundNo: string;
  subMchId: string | null;
  /**
   * The AppID the refund's order was placed under; null = the owner app (rows from before the cashier
   * mini program). API v2 names the order with it (appid); API v3 ignores it.
   */
  appId: string | null;
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

/** What the notify route sends back: each scheme has its own acknowledgement. */
export interface NotifyAnswer {
  status: number;
  contentType?: string;
  body: string | null;
}

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
  /** The signed `wx.requestPayment` arguments for a prepay placed for `appId`. */
  paymentArgs(prepayId: string, appId: string): RequestPaymentArgs;
  query(order: OrderRef): Promise<Transaction>;
  /**
   * Closes at WeChat; an order WeChat never saw closes quietly too. `'deferred'`: the scheme
   * does not allow closing it yet (the caller queries and tries again later).
   */
  close(order: OrderRef): Promise<'closed' | 'deferred'>;
  refund(r: RefundOrder): Promise<RefundAnswer>;
  queryRefund(r: RefundRef): Promise<RefundAnswer>;
  /** Verifies and decrypts a notification's raw bytes; throws NotificationRejected. */
  readNotification(headers: IncomingHttpHeaders, raw: Buffer): PayNotification;
  /** The scheme's answer to a notification: taken, or refused (WeChat then retries). */
  notifyAnswer(refusal?: { status: number; message: string }): NotifyAnswer;
  /** Content types the scheme's notifications arrive in. */
  readonly notifyContentTypes: readonly string[];
  /**
   * Who we are at WeChat: a transaction for anyone else is not ours (partner mode: the
   * provider's AppID and sp_mchid; the sub-merchant is checked per order).
   */
  readonly identity: { appId: string; mchId: string };
  /**
   * The AppIDs this scheme can place an order for: `identity.appId` always, and the cashier
   * mini program's when the scheme supports it (direct merchant, API v2; not partner mode).
   */
  readonly payerAppIds: readonly string[];
  destroy(): void;
}
