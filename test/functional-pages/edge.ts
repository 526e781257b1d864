/**
 * A scripted stand-in for the far side of the network (WeChat's login-code minting and the
 * merchant API), used only to produce answers the real server never gives: malformed bodies,
 * slow answers, arbitrary statuses. Happy paths run against the real stack (stack.test.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  raw?: string;
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

export interface Edge {
  url: string;
  requests: SeenRequest[];
  session: (req: SeenRequest, n: number) => Reply;
  pay: (req: SeenRequest, n: number) => Reply;
  count(path: RegExp): number;
  close(): Promise<void>;
}

export const PAY_ARGS = {
  timeStamp: '1767225600',
  nonceStr: 'n0nce5tr1ng',
  package: 'prepay_id=wx2026010100000000000000000000',
  signType: 'RSA',
  paySign: 'c2lnbmF0dXJl',
};

export async function startEdge(): Promise<Edge> {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let sessions = 0;
  let pays = 0;
  let codes = 0;
  const edge: Edge = {
    url: '',
    requests: [],
    session: (_req, n) => ({ body: { token: `token-${n}`, openid: 'o-alice', expiresIn: 7200 } }),
    pay: () => ({ body: PAY_ARGS }),
    count: (path) => edge.requests.filter((r) => path.test(r.path)).length,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        ...(req.headers.authorization !== undefined
          ? { authorization: req.headers.authorization }
          : {}),
      };
      edge.requests.push(seen);
      let reply: Reply;
      if (seen.path === '/sandbox/login-code') {
        codes += 1;
        reply = { body: { code: `code-${codes}`, openid: 'o-alice', expiresIn: 300 } };
      } else if (seen.path === '/api/session') {
        sessions += 1;
        reply = edge.session(seen, sessions);
      } else if (/^\/api\/orders\/[^/]+\/pay$/.test(seen.path)) {
        pays += 1;
        reply = edge.pay(seen, pays);
      } else if (/^\/api\/orders\/[^/]+\/pay-with-login$/.test(seen.path)) {
        // The server's one-request first payment: the session's answer, then the payment's.
        sessions += 1;
        pays += 1;
        const session = edge.session(seen, sessions);
        const payment = session.status && session.status !== 200 ? session : edge.pay(seen, pays);
        reply =
          session.raw !== undefined || (session.status ?? 200) !== 200
            ? session
            : payment.raw !== undefined || (payment.status ?? 200) !== 200
              ? payment
              : {
                  body: { session: session.body, payment: payment.body },
                  delayMs: (session.delayMs ?? 0) + (payment.delayMs ?? 0) || undefined,
                };
      } else if (seen.path === '/sandbox/cashier/pay') {
        const { outcome } = JSON.parse(seen.body) as { outcome: string };
        const errMsg =
          outcome === 'success'
            ? 'requestPayment:ok'
            : outcome === 'cancel'
              ? 'requestPayment:fail cancel'
              : 'requestPayment:fail insufficient balance';
        reply = { body: { errMsg } };
      } else {
        reply = { status: 404, body: { code: 'NOT_FOUND', message: 'no such route' } };
      }
      const send = () => {
        if (res.destroyed) return;
        res.statusCode = reply.status ?? 200;
        res.setHeader('content-type', reply.raw !== undefined ? 'text/plain' : 'application/json');
        res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
      };
      if (reply.delayMs === undefined) send();
      else {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, reply.delayMs);
        timers.add(t);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  edge.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return edge;
}

/** A loopback port with nothing listening: connections are refused at once. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
