/** pino options: secrets are redacted wherever they might appear in a log object. */
import type { LoggerOptions } from 'pino';
import type { LevelWithSilent } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.authorization',
  '*.Authorization',
  'token',
  '*.token',
  'session_key',
  '*.session_key',
  'sessionKey',
  '*.sessionKey',
  'secret',
  '*.secret',
  'appSecret',
  '*.appSecret',
  'apiV3Key',
  '*.apiV3Key',
  'merchantPrivateKeyPem',
  '*.merchantPrivateKeyPem',
  'adminToken',
  '*.adminToken',
  'paySign',
  '*.paySign',
];

export function loggerOptions(level: LevelWithSilent): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}
