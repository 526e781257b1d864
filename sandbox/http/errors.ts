/** A WeChat Pay v3 error: status + `{ code, message, detail? }`. */
export class WechatPayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }

  body(): { code: string; message: string; detail?: Record<string, unknown> } {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

/** An error of the sandbox's own control API: status + `{ code, message }`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const paramError = (message: string, detail?: Record<string, unknown>): WechatPayError =>
  new WechatPayError(400, 'PARAM_ERROR', message, detail);

export const invalidRequest = (message: string): WechatPayError =>
  new WechatPayError(400, 'INVALID_REQUEST', message);

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns a schema failure into WeChat's PARAM_ERROR body (field as a JSON-schema pointer). */
export function validationToWechat(
  errors: readonly AjvLikeError[],
  location: string,
): WechatPayError {
  const first = errors[0] ?? {};
  const segments = (first.instancePath ?? '').split('/').filter((s) => s !== '');
  const missing = first.params?.missingProperty;
  if (first.keyword === 'required' && typeof missing === 'string') segments.push(missing);
  const field = segments.length === 0 ? '#' : `#/properties/${segments.join('/properties/')}`;
  const name = segments.join('.') || location;
  const issue =
    first.keyword === 'required'
      ? '此字段为必填项'
      : `${first.keyword ?? 'schema'}: ${first.message ?? 'invalid'}`;
  return paramError(
    `输入源"/${location}/${segments.join('/')}"映射到值字段"${name}"校验失败: ${issue}`,
    {
      field,
      location,
      issue,
    },
  );
}
