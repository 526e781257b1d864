/**
 * Refusals made before a request reaches a route, in the same `{ code, message }` contract as
 * every other answer: Fastify's own (a path that is not valid percent-encoding, a path parameter
 * over `maxParamLength`) through `frameworkErrors`, and Node's HTTP parser's (malformed request
 * lines or headers, conflicting Content-Length / Transfer-Encoding, bare-LF line ends, headers
 * over the size limit, a request that never finished arriving) through `clientErrorHandler`,
 * which must write the whole HTTP response on the raw socket itself.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiError, ApiErrorCode } from '../../typings/api';

const ROUTING_REFUSALS: Record<string, [number, string]> = {
  FST_ERR_MAX_PARAM_LENGTH: [414, 'a path parameter is too long'],
  FST_ERR_BAD_URL: [400, 'the path is not valid percent-encoding'],
};

/** `frameworkErrors`: Fastify's routing refusals. */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const [status, message] = ROUTING_REFUSALS[error.code] ?? [
    400,
    'the request could not be routed',
  ];
  const body: ApiError = { code: 'VALIDATION_ERROR', message };
  return reply.code(status).send(body);
}

function refusalOf(err: NodeJS.ErrnoException): { status: number; body: ApiError } {
  const refuse = (status: number, code: ApiErrorCode, message: string) => ({
    status,
    body: { code, message },
  });
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return refuse(431, 'PAYLOAD_TOO_LARGE', 'the request headers are too large');
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return refuse(408, 'VALIDATION_ERROR', 'the request did not arrive in time');
  return refuse(400, 'VALIDATION_ERROR', 'malformed HTTP request');
}

/** `clientErrorHandler`: the HTTP parser's refusals, answered on the socket and closed. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer; a socket mid-response cannot take a second one.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, body } = refusalOf(err);
  if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy(err);
    return;
  }
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}
