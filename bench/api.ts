/**
 * Preparing load through the real HTTP API (what a shop and its users would do), and the
 * autocannon wrapper every load benchmark uses: loopback only, bounded in time and count.
 */
import autocannon from 'autocannon';
import type { CreatedOrder, SessionResponse } from '../typings/api';

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** What `wx.login` would give `user`, minted by the sandbox. */
export function loginCode(
  sandboxUrl: string,
  user: string,
): Promise<{ code: string; openid: string }> {
  return postJson(`${sandboxUrl}/sandbox/login-code`, { user });
}

export interface BenchSession {
  token: string;
  openid: string;
}

/** `users` signed-in payers: login code from the sandbox, then POST /api/session. */
export async function sessions(
  sandboxUrl: string,
  serverUrl: string,
  users: number,
  prefix = 'bench-user',
): Promise<BenchSession[]> {
  return parallel(users, 8, async (i) => {
    const { code } = await loginCode(sandboxUrl, `${prefix}-${i}`);
    const s = await postJson<SessionResponse>(`${serverUrl}/api/session`, { code });
    return { token: s.token, openid: s.openid };
  });
}

export const BENCH_ITEMS = [{ sku: 'MUG-ENAMEL', quantity: 1 }];

/** `n` pending orders through POST /api/orders. */
export function createOrders(serverUrl: string, n: number): Promise<CreatedOrder[]> {
  return parallel(n, 16, () =>
    postJson<CreatedOrder>(`${serverUrl}/api/orders`, { items: BENCH_ITEMS }),
  );
}

/** Runs `fn(0..n-1)` with at most `width` in flight; results in index order. */
export async function parallel<T>(
  n: number,
  width: number,
  fn: (i: number) => Promise<T>,
): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return out;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Hard bound on time. */
  durationSeconds: number;
  /** Hard bound on requests (autocannon maxOverallRequests). */
  maxRequests?: number;
  /** Requests per second over all connections (open-loop pacing); unset = as fast as possible. */
  overallRate?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Varies each request (path, headers, body); called once per request sent. */
  setupRequest?: (req: autocannon.Request) => autocannon.Request;
}

export interface LoadResult {
  /** 2xx answers per second over the run. */
  okPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  seconds: number;
  statusCodes: Record<string, number>;
}

export function load(o: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+/.test(o.url)) throw new Error(`load only on loopback: ${o.url}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // autocannon notices its end only on a sample tick, so a run that reaches maxRequests idles
    // until the next one: rates are taken up to the last answer instead.
    let lastAnswer = started;
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: o.durationSeconds,
        maxOverallRequests: o.maxRequests,
        overallRate: o.overallRate,
        timeout: 10,
        sampleInt: 100,
        requests: [
          {
            method: o.method ?? 'POST',
            headers: o.headers,
            body: o.body,
            setupRequest: o.setupRequest,
            onResponse: () => {
              lastAnswer = performance.now();
            },
          },
        ],
      },
      (err, r) => {
        if (err) {
          reject(err);
          return;
        }
        const seconds = (Math.max(lastAnswer, started + 1) - started) / 1000;
        const ok = r['2xx'];
        const codes: Record<string, number> = {};
        for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) codes[code] = v.count ?? 0;
        resolve({
          okPerSecond: ok / seconds,
          ok,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          p50: r.latency.p50,
          p99: r.latency.p99,
          seconds,
          statusCodes: codes,
        });
      },
    );
    // Safety net beyond autocannon's own bound (e.g. a server that stops answering).
    const guard = setTimeout(() => instance.stop(), (o.durationSeconds + 15) * 1000);
    instance.once('done', () => clearTimeout(guard));
  });
}

export function describeLoad(r: LoadResult): string {
  return (
    `${Math.round(r.okPerSecond)} ok/s over ${r.seconds.toFixed(1)} s, p50 ${r.p50} ms, ` +
    `p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, codes ${JSON.stringify(r.statusCodes)}`
  );
}

/**
 * autocannon's setupRequest for pay runs: request k pays `orders[k]` (cycling) as
 * `payers[k % payers.length]`, so a later run over the same orders is the same payer.
 */
export function paySetupRequest(
  orders: readonly CreatedOrder[],
  payers: readonly BenchSession[],
): (req: autocannon.Request) => autocannon.Request {
  let i = 0;
  return (req) => {
    const k = i++ % orders.length;
    const payer = payers[k % payers.length] as BenchSession;
    const order = orders[k] as CreatedOrder;
    return {
      ...req,
      path: `/api/orders/${order.orderNo}/pay`,
      headers: {
        ...req.headers,
        authorization: `Bearer ${payer.token}`,
        'x-order-token': order.orderToken,
      },
    };
  };
}
