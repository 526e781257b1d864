/**
 * Every failure leaves as `ApiError { code, message }` with a matching status: our own
 * ApiFailure, schema validation, malformed JSON, 404 routes, 413, 415, 429. Unknown errors
 * become a generic 500 (details go to the log only).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiError, ApiErrorCode } from '../../typings/api';
import { ApiFailure } from '../errors';
import { describeFormatFailure } from '../schemas/text';

const BY_FASTIFY_CODE: Record<string, [number, ApiErrorCode]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'VALIDATION_ERROR'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'VALIDATION_ERROR'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'VALIDATION_ERROR'],
  FST_ERR_VALIDATION: [400, 'VALIDATION_ERROR'],
};

const BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export function toApiError(error: FastifyError | ApiFailure | Error): {
  status: number;
  body: ApiError;
} {
  if (error instanceof ApiFailure)
    return { status: error.statusCode, body: { code: error.code, message: error.message } };
  const fe = error as Partial<FastifyError>;
  if (fe.validation)
    return {
      status: 400,
      body: { code: 'VALIDATION_ERROR', message: describeFormatFailure(error.message) },
    };
  const known = fe.code ? BY_FASTIFY_CODE[fe.code] : undefined;
  if (known) return { status: known[0], body: { code: known[1], message: error.message } };
  const status = fe.statusCode ?? 500;
  const code = BY_STATUS[status];
  if (code && status < 500) return { status, body: { code, message: error.message } };
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiFailure, request, reply) => {
    const { status, body } = toApiError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code, status }, body.message);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ApiError = {
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    };
    return reply.code(404).send(body);
  });
}
