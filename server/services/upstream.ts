/** How a failure at WeChat is told to our client: a 502 in the contract, never WeChat's body. */
import { ApiFailure } from '../errors';
import { isWechatPayError } from '../wechat/pay/errors';
import { TransactionMismatch } from './settlement';

export function upstream(err: unknown): Error {
  if (err instanceof ApiFailure) return err;
  if (isWechatPayError(err)) {
    return new ApiFailure(
      502,
      'UPSTREAM_ERROR',
      `WeChat Pay: ${err.code ?? (err.status || 'unreachable')}`,
    );
  }
  if (err instanceof TransactionMismatch)
    return new ApiFailure(502, 'UPSTREAM_ERROR', 'WeChat Pay answered for another order');
  return err instanceof Error ? err : new Error(String(err));
}
