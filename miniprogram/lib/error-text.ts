/**
 * Words a shopper can act on for anything a page's request or check threw. The server's own
 * `message` is for developers and logs: the shopper's words come from the contract's `code`.
 */
import type { ShopMessages } from './i18n';
import { HttpError } from './http';
import { InputError } from './input-error';

export function describeError(error: unknown, m: ShopMessages): string {
  if (error instanceof InputError) return m.input(error.problem);
  if (!(error instanceof HttpError)) return m.transport.unexpected;
  if (error.kind !== 'http') return m.transport[error.kind];
  // A code this build does not know yet (a newer server) reads as a plain server failure.
  return (error.code && m.api[error.code]) || m.api.INTERNAL;
}
