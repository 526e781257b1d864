/**
 * The merchant server's API for jsdom tests (which have no fetch): a test creates orders, signs
 * payers in and binds them the way a client would, over real HTTP.
 */
import { httpRequest } from '../../dev/emulator/http';
import { postJson } from '../../dev/emulator';
import type { RemoteStack } from '../../dev/remote-stack';
import type { CatalogResponse, CreatedOrder, SessionResponse } from '../../typings/api';

async function json<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await httpRequest({
    method,
    url,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: 10_000,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as T };
}

export async function catalogOf(stack: RemoteStack): Promise<CatalogResponse> {
  return (await json<CatalogResponse>('GET', `${stack.serverUrl}/api/catalog`)).body;
}

export async function createOrder(
  stack: RemoteStack,
  items = [{ sku: 'MUG-ENAMEL', quantity: 1 }],
): Promise<CreatedOrder> {
  const r = await json<CreatedOrder>('POST', `${stack.serverUrl}/api/orders`, { items });
  if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A session of `user` in the mini program `appId` (default: the owner app). */
export async function sessionOf(
  stack: RemoteStack,
  user: string,
  appId?: string,
): Promise<SessionResponse> {
  const { code } = await postJson<{ code: string }>(`${stack.sandboxUrl}/sandbox/login-code`, {
    user,
    ...(appId ? { appid: appId } : {}),
  });
  const r = await json<SessionResponse>('POST', `${stack.serverUrl}/api/session`, {
    code,
    ...(appId ? { appId } : {}),
  });
  if (r.status !== 200) throw new Error(`session: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** POST /api/orders/:no/pay with the session and the order's token: binds the payer. */
export function payAs(
  stack: RemoteStack,
  order: Pick<CreatedOrder, 'orderNo' | 'orderToken'>,
  token: string,
): Promise<{ status: number; body: unknown }> {
  return json('POST', `${stack.serverUrl}/api/orders/${order.orderNo}/pay`, undefined, {
    authorization: `Bearer ${token}`,
    'x-order-token': order.orderToken,
  });
}
