/** Table shapes. Times are integer milliseconds since the epoch; money is integer fen. */
import type { Generated } from 'kysely';
import type { OrderStatus } from '../../typings/api';

/**
 * How an order is paid: WeChat Pay from the functional page, or a jump-out to an aggregator's
 * cashier mini program. The first payment attempt fixes it, so one order is never paid twice.
 */
export type OrderChannel = 'wechat' | 'aggregator';

export interface OrdersTable {
  order_no: string;
  status: OrderStatus;
  goods: number;
  shipping: number;
  discount: number;
  total: number;
  items_json: string;
  remark: string | null;
  description: string;
  idempotency_key: string | null;
  request_hash: string;
  /** SHA-256 of the order's capability token (services/order-access.ts). */
  access_hash: string | null;
  /** AppID of the host mini program that placed it through the plugin, when WeChat signed that. */
  host_appid: string | null;
  /** Partner mode: the sub-merchant (sub_mchid) this order pays; null for the other schemes. */
  sub_mchid: string | null;
  /** Null until the first payment attempt binds one (migration 0005). */
  channel: OrderChannel | null;
  openid: string | null;
  /**
   * The AppID the payer's openid belongs to, bound together with it (migration 0006): the order
   * is placed and signed for it. Null: the owner app (rows from before, or not bound yet).
   */
  pay_appid: string | null;
  prepay_id: string | null;
  prepay_at: number | null;
  transaction_id: string | null;
  paid_at: number | null;
  refunded: Generated<number>;
  created_at: number;
  expires_at: number;
  updated_at: number;
  last_query_at: number | null;
  next_check_at: number;
  claimed_until: number | null;
}

export interface SessionsTable {
  token_hash: string;
  openid: string;
  /** The AppID the session was signed in under; null for rows from before 0006 (the owner app). */
  appid: string | null;
  session_key: string;
  created_at: number;
  expires_at: number;
}

export interface NotificationsTable {
  id: string;
  event_type: string;
  order_no: string;
  received_at: number;
}

export interface RefundsTable {
  out_refund_no: string;
  order_no: string;
  amount: number;
  status: 'processing' | 'success' | 'closed' | 'abnormal';
  reason: string | null;
  refund_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  orders: OrdersTable;
  sessions: SessionsTable;
  notifications: NotificationsTable;
  refunds: RefundsTable;
}
