/**
 * Why a payment could not be prepared. `message` is what the plugin's developer and the logs
 * see; `code` lets the owner app branch without parsing text.
 */
export type FunctionalPageErrorCode =
  | 'INVALID_PAYMENT_ARGS'
  | 'LOGIN_FAILED'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'HTTP'
  | 'UNAUTHORIZED'
  | 'MALFORMED_RESPONSE'
  | 'INTERNAL';

export class FunctionalPageError extends Error {
  readonly code: FunctionalPageErrorCode;
  /** HTTP status when the server answered. */
  readonly status?: number;
  /** The server's `{ code }` when it sent one. */
  readonly serverCode?: string;

  constructor(
    code: FunctionalPageErrorCode,
    message: string,
    extra: { status?: number; serverCode?: string } = {},
  ) {
    super(message);
    this.name = 'FunctionalPageError';
    this.code = code;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.serverCode !== undefined) this.serverCode = extra.serverCode;
  }
}

export function asFunctionalPageError(err: unknown): FunctionalPageError {
  if (err instanceof FunctionalPageError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new FunctionalPageError('INTERNAL', `payment preparation failed unexpectedly: ${detail}`);
}
