/** Shapes of what the tests read from the sandbox's control API and the server's database. */

export interface SandboxOrder {
  outTradeNo: string;
  state: string;
  total: number;
  payerOpenid: string;
  transactionId?: string;
  prepays: Array<{ prepayId: string; valid: boolean }>;
  notifications: Array<{ eventType: string; state: string; attempts: unknown[] }>;
}

export interface OrderRow {
  order_no: string;
  status: string;
  total: number;
  openid: string | null;
  prepay_id: string | null;
  transaction_id: string | null;
  paid_at: number | null;
  remark: string | null;
}
