/**
 * A network between the phone and the server that loses answers: requests chosen by `lose` are
 * delivered to the server in full, the server's response is read, and then the phone's
 * connection is cut, so the phone sees `request:fail` for something the server did. Everything
 * else passes through untouched.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyNetwork {
  url: string;
  /** Requests whose answers were lost, as `METHOD /path`. */
  lost: string[];
  close(): Promise<void>;
}

export async function startFlakyNetwork(
  target: string,
  lose: (method: string, path: string) => boolean,
): Promise<FlakyNetwork> {
  const upstream = new URL(target);
  const lost: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
          agent: false,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            const key = `${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}`;
            if (lose(req.method ?? '', (req.url ?? '').split('?')[0] ?? '')) {
              lost.push(key);
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      forward.on('error', () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    lost,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
