/**
 * Finding: refusals made below the routes (bad percent-encoding, an over-long path parameter,
 * oversized headers, malformed HTTP) answered Fastify's or Node's own bodies. Each is sent here
 * as raw bytes on a socket, and each answer must be `{ code, message }` with the right status.
 */
import { connect } from 'node:net';
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';

let stack: Stack;
let port: number;

beforeAll(async () => {
  stack = await startStack({ serverConfig: { jobsEnabled: false } });
  port = Number(new URL(stack.serverUrl).port);
});

afterAll(() => stack?.close());

/** Writes `request` as is and reads what comes back until the server closes. */
function exchange(request: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1]);
      const body = out.slice(out.indexOf('\r\n\r\n') + 4);
      try {
        resolve({ status, body: JSON.parse(body) as unknown });
      } catch {
        reject(new Error(`not JSON after status ${status}: ${JSON.stringify(out.slice(0, 300))}`));
      }
    });
  });
}

const END = 'Connection: close\r\n\r\n';

it.each([
  [
    'bad percent-encoding in a path',
    `GET /api/orders/%zz HTTP/1.1\r\nHost: t\r\n${END}`,
    400,
    'VALIDATION_ERROR',
  ],
  [
    'an over-long path parameter',
    `GET /api/orders/${'A'.repeat(500)} HTTP/1.1\r\nHost: t\r\n${END}`,
    414,
    'VALIDATION_ERROR',
  ],
  [
    'oversized headers',
    `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n${END}`,
    431,
    'PAYLOAD_TOO_LARGE',
  ],
  [
    'Content-Length with Transfer-Encoding',
    `POST /api/orders HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n${END}0\r\n\r\n`,
    400,
    'VALIDATION_ERROR',
  ],
  [
    'two Content-Lengths',
    `POST /api/orders HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 3\r\n${END}{}`,
    400,
    'VALIDATION_ERROR',
  ],
  [
    'a header name with a space',
    `GET /healthz HTTP/1.1\r\nHost: t\r\nBad Header: 1\r\n${END}`,
    400,
    'VALIDATION_ERROR',
  ],
  [
    'bare-LF line ends',
    'GET /healthz HTTP/1.1\nHost: t\nConnection: close\n\n',
    400,
    'VALIDATION_ERROR',
  ],
  ['a request line that is not HTTP', `HELLO\r\n${END}`, 400, 'VALIDATION_ERROR'],
])('%s: refused in the contract', async (_, request, status, code) => {
  const r = await exchange(request);
  expect(r.status).toBe(status);
  expect(r.body).toEqual({ code, message: expect.any(String) as string });
});

it('still serves the next request after refusing one', async () => {
  await exchange(`GET /api/orders/%zz HTTP/1.1\r\nHost: t\r\n${END}`);
  const r = await fetch(`${stack.serverUrl}/healthz`);
  expect(r.status).toBe(200);
});
