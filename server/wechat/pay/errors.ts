/**
 * A failed WeChat Pay call, with named fields, and the predicates the services decide on, so no
 * service looks at status codes or the verified flag itself.
 */
export interface WechatPayErrorFields {
  /** HTTP status of WeChat's answer; 0 when nothing came back. */
  status: number;
  code?: string | undefined;
  requestId?: string | undefined;
  /** True when WeChat's answer was verified (a real refusal rather than noise). */
  verified: boolean;
}

export class WechatPayError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly verified: boolean;

  constructor(message: string, fields: WechatPayErrorFields) {
    super(message);
    this.status = fields.status;
    this.code = fields.code;
    this.requestId = fields.requestId;
    this.verified = fields.verified;
  }
}

export const isWechatPayError = (err: unknown): err is WechatPayError =>
  err instanceof WechatPayError;

/** WeChat itself (verified) answered, whatever it said: not noise on the wire. */
export const isVerifiedAnswer = (err: unknown): err is WechatPayError =>
  isWechatPayError(err) && err.verified;

/** WeChat (verified) refused the request with a 4xx: repeating it will not help. */
export const isRefused = (err: unknown): err is WechatPayError =>
  isVerifiedAnswer(err) && err.status >= 400 && err.status < 500;

/** WeChat (verified) does not know the order or refund. */
export const isNotFound = (err: unknown): err is WechatPayError =>
  isVerifiedAnswer(err) && err.status === 404;
