/** code2Session: exchanges a `wx.login` code for the openid and session_key (server side only). */
import type { Logger } from 'pino';
import type { HttpClient } from './http-client';

export interface Code2SessionResult {
  openid: string;
  sessionKey: string;
  unionid?: string;
}

export class LoginError extends Error {
  constructor(
    message: string,
    /** 400 when WeChat refused the code, 502 when WeChat failed. */
    readonly status: 400 | 502,
    readonly errcode?: number,
  ) {
    super(message);
  }
}

/** errcodes that mean "this code is no good", not "WeChat is unwell". */
const CODE_REFUSED = new Set([40029, 40163, 40226]);

export async function code2Session(
  /** `http` is bound to the WeChat API base (api.weixin.qq.com or the sandbox). */
  opts: { http: HttpClient; appId: string; appSecret: string; logger: Logger },
  code: string,
): Promise<Code2SessionResult> {
  const q = new URLSearchParams({
    appid: opts.appId,
    secret: opts.appSecret,
    js_code: code,
    grant_type: 'authorization_code',
  });
  let body: {
    openid?: unknown;
    session_key?: unknown;
    unionid?: unknown;
    errcode?: unknown;
    errmsg?: unknown;
  };
  try {
    const res = await opts.http.send('GET', `/sns/jscode2session?${q.toString()}`, {
      Accept: 'application/json',
    });
    body = JSON.parse(res.body.toString('utf8')) as typeof body;
  } catch (err) {
    // Never log the URL: it carries the app secret.
    opts.logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'code2Session unreachable',
    );
    throw new LoginError('WeChat login is unavailable', 502);
  }
  if (typeof body.errcode === 'number' && body.errcode !== 0) {
    const errcode = body.errcode;
    opts.logger.warn({ errcode, errmsg: body.errmsg }, 'code2Session refused');
    if (CODE_REFUSED.has(errcode))
      throw new LoginError(`WeChat refused the login code (${errcode})`, 400, errcode);
    throw new LoginError(`WeChat login failed (${errcode})`, 502, errcode);
  }
  if (typeof body.openid !== 'string' || typeof body.session_key !== 'string' || !body.openid) {
    throw new LoginError('WeChat login answered without openid', 502);
  }
  return {
    openid: body.openid,
    sessionKey: body.session_key,
    ...(typeof body.unionid === 'string' ? { unionid: body.unionid } : {}),
  };
}
