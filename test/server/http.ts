/** Small real-HTTP helpers for the server flow tests (fetch against the running stack). */
import { waitFor as sharedWaitFor } from '../../dev/wait-for';
import { createCipheriv, createPrivateKey, createSign, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../../dev/stack';

/** What the HTTP helpers need of a stack: in-process (`startStack`) or one process per side. */
export type StackUrls = Pick<Stack, 'sandboxUrl' | 'serverUrl'>;
import type { CreatedOrder, SessionResponse } from '../../typings/api';
import type { RequestPaymentArgs } from '../../typings/payment';

export interface Reply<T = unknown> {
  status: number;
  /** Parsed JSON; the text itself when the answer is not JSON (API v2's XML). */
  body: T;
  text: string;
  headers: Headers;
}

export async function call<T = unknown>(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    token?: string;
    headers?: Record<string, string>;
    raw?: string;
  } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return {
    status: res.status,
    body: (text && json ? JSON.parse(text) : text && !json ? text : undefined) as T,
    text,
    headers: res.headers,
  };
}

/** A wx.login code of `user` in the mini program `appId` (default: the owner app). */
export async function loginCode(
  stack: StackUrls,
  user: string,
  appId?: string,
): Promise<{ code: string; openid: string }> {
  const r = await call<{ code: string; openid: string }>(`${stack.sandboxUrl}/sandbox/login-code`, {
    body: appId ? { user, appid: appId } : { user },
  });
  if (r.status !== 200) throw new Error(`login-code: ${r.status} ${r.text}`);
  return r.body;
}

/** A server session of `user`, signed in under `appId` (default: the owner app). */
export async function session(
  stack: StackUrls,
  user: string,
  appId?: string,
): Promise<SessionResponse> {
  const { code } = await loginCode(stack, user, appId);
  const r = await call<SessionResponse>(`${stack.serverUrl}/api/session`, {
    body: appId ? { code, appId } : { code },
  });
  if (r.status !== 200) throw new Error(`session: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function createOrder(
  stack: StackUrls,
  items = [{ sku: 'MUG-ENAMEL', quantity: 1 }],
): Promise<CreatedOrder> {
  const r = await call<CreatedOrder>(`${stack.serverUrl}/api/orders`, { body: { items } });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** An order as its creator knows it: the number and, unless testing without it, its token. */
export type OrderRef = string | Pick<CreatedOrder, 'orderNo' | 'orderToken'>;

/** The order's own headers: `X-Order-Token` when the reference carries one. */
export function orderHeaders(order: OrderRef): Record<string, string> {
  return typeof order === 'string' ? {} : { 'x-order-token': order.orderToken };
}

export function pay(
  stack: StackUrls,
  order: OrderRef,
  token: string,
): Promise<Reply<RequestPaymentArgs>> {
  const orderNo = typeof order === 'string' ? order : order.orderNo;
  return call<RequestPaymentArgs>(`${stack.serverUrl}/api/orders/${orderNo}/pay`, {
    method: 'POST',
    token,
    headers: orderHeaders(order),
  });
}

/** WeChat's cashier for `openid`; `appId`: the mini program paying (default: the owner app). */
export async function cashier(
  stack: StackUrls,
  openid: string,
  args: RequestPaymentArgs,
  outcome: 'success' | 'cancel' | 'fail',
  appId?: string,
): Promise<string> {
  const r = await call<{ errMsg: string }>(`${stack.sandboxUrl}/sandbox/cashier/pay`, {
    body: { ...(appId ? { appid: appId } : {}), openid, outcome, requestPaymentArgs: args },
  });
  return r.body.errMsg;
}

export async function faults(stack: Stack, list: unknown[]): Promise<void> {
  const r = await call(`${stack.sandboxUrl}/sandbox/faults`, { method: 'PUT', body: list });
  if (r.status !== 200) throw new Error(`faults: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function clearFaults(stack: Stack): Promise<void> {
  await call(`${stack.sandboxUrl}/sandbox/faults`, { method: 'DELETE' });
}

export async function storedStatus(stack: Stack, orderNo: string): Promise<string | undefined> {
  const row = await stack.server.storage.db
    .selectFrom('orders')
    .select('status')
    .where('order_no', '=', orderNo)
    .executeTakeFirst();
  return row?.status;
}

/** Polls `fn` (every 20 ms) until it yields a value: the shared waitFor with server-test defaults. */
export function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  return sharedWaitFor('a server-side condition', fn, timeoutMs, 20);
}

export interface ForgeOptions {
  resource: Record<string, unknown>;
  id?: string;
  /** Default TRANSACTION.SUCCESS; REFUND.* events also switch the AAD to 'refund'. */
  eventType?: string;
  key?: KeyObject;
  serial?: string;
  timestamp?: number;
  signature?: string;
  apiV3Key?: string;
}

/**
 * A TRANSACTION.SUCCESS notification built here from the documented rules (AES-256-GCM resource,
 * RSA-SHA256 over timestamp, nonce and body), signed by default with the sandbox's platform key.
 */
export function forgeNotification(
  stack: Stack,
  opts: ForgeOptions,
): { headers: Record<string, string>; raw: string } {
  const nonce = randomBytes(6).toString('hex');
  const cipher = createCipheriv(
    'aes-256-gcm',
    Buffer.from(opts.apiV3Key ?? stack.config.apiV3Key),
    Buffer.from(nonce),
  );
  const eventType = opts.eventType ?? 'TRANSACTION.SUCCESS';
  const kind = eventType.startsWith('REFUND.') ? 'refund' : 'transaction';
  cipher.setAAD(Buffer.from(kind));
  const ct = Buffer.concat([
    cipher.update(JSON.stringify(opts.resource)),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  const raw = JSON.stringify({
    id: opts.id ?? randomBytes(8).toString('hex'),
    create_time: new Date().toISOString(),
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: kind === 'refund' ? '退款成功' : '支付成功',
    resource: {
      original_type: kind,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: ct.toString('base64'),
      associated_data: kind,
      nonce,
    },
  });
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const wnonce = randomBytes(16).toString('hex');
  const key =
    opts.key ??
    createPrivateKey(readFileSync(join(stack.credentialsDir, 'sandbox', 'pub_key_private.pem')));
  const signature =
    opts.signature ??
    createSign('RSA-SHA256').update(`${ts}\n${wnonce}\n${raw}\n`).sign(key, 'base64');
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': wnonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': opts.serial ?? stack.sandbox.credentials.platformPublicKeyId,
    },
  };
}

/** A session for `user`, a new order, and its prepay: ready for the cashier. */
export async function placedOrder(stack: StackUrls, user: string) {
  const s = await session(stack, user);
  const o = await createOrder(stack);
  const p = await pay(stack, o, s.token);
  return { s, o, p };
}

/** placedOrder, paid at the cashier, and the notification applied: the order is stored paid. */
export async function paidOrder(stack: Stack, user: string) {
  const placed = await placedOrder(stack, user);
  const { s, o, p } = placed;
  await cashier(stack, s.openid, p.body, 'success');
  await waitFor(async () => (await storedStatus(stack, o.orderNo)) === 'paid');
  return placed;
}
