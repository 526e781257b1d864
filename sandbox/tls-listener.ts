import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { App } from './context';
import type { SandboxKeys } from './keys';
import { transportFail } from './v2/wire';

/** What the TLS listener serves: WeChat's certificate-only API (v2 refunds). */
const TLS_PATHS = new Set(['/secapi/pay/refund']);

export interface TlsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * The HTTPS listener for mutual TLS. It asks every client for a certificate but lets the handshake
 * finish without one (rejectUnauthorized false): the route pins the merchant's certificate and
 * answers a readable XML FAIL otherwise. Requests go through the same Fastify app, so hooks,
 * faults and state are shared with the plain listener.
 */
export async function listenTls(
  app: App,
  keys: SandboxKeys,
  host: string,
  port: number,
): Promise<TlsListener> {
  await app.ready();
  const server: Server = createServer(
    {
      key: keys.tlsKeyPem,
      cert: keys.credentials.tlsCertPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      if (TLS_PATHS.has((req.url ?? '').split('?')[0] ?? '')) {
        app.routing(req, res);
        return;
      }
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/xml; charset=utf-8');
      res.end(transportFail('TLS地址仅提供/secapi/pay/refund'));
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  return {
    url: `https://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
