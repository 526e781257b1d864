/** Opaque bearer sessions: the token is random, only its SHA-256 is stored; session_key never leaves. */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionResponse } from '../../typings/api';
import { ApiFailure } from '../errors';
import { HttpClient } from '../wechat/http-client';
import { LoginError, code2Session } from '../wechat/login';
import type { ServiceContext } from './context';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class SessionService {
  private readonly wechatApi: HttpClient;

  constructor(private readonly ctx: ServiceContext) {
    this.wechatApi = new HttpClient({
      baseUrl: ctx.config.wechatApiBase,
      timeoutMs: ctx.config.wechatTimeoutMs,
      maxSockets: 16,
      maxResponseBytes: 64 * 1024,
    });
  }

  /** Closes the pooled connections to the WeChat API. */
  close(): void {
    this.wechatApi.close();
  }

  async login(code: string): Promise<SessionResponse> {
    const { config, logger } = this.ctx;
    let result;
    try {
      result = await code2Session(
        {
          http: this.wechatApi,
          appId: config.appId,
          appSecret: config.appSecret,
          logger,
        },
        code,
      );
    } catch (err) {
      if (err instanceof LoginError) throw new ApiFailure(err.status, 'LOGIN_FAILED', err.message);
      throw err;
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.ctx.clock.now();
    await this.ctx.storage.sessions.insert({
      token_hash: hashToken(token),
      openid: result.openid,
      session_key: result.sessionKey,
      created_at: now,
      expires_at: now + config.sessionTtlSeconds * 1000,
    });
    return { token, openid: result.openid, expiresIn: config.sessionTtlSeconds };
  }

  /** The openid behind a bearer token, or 401. */
  async authenticate(authorization: string | undefined): Promise<string> {
    const m = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(authorization ?? '');
    if (!m?.[1]) throw new ApiFailure(401, 'UNAUTHORIZED', 'a Bearer session token is required');
    const row = await this.ctx.storage.sessions.find(hashToken(m[1]));
    if (!row || row.expires_at <= this.ctx.clock.now()) {
      throw new ApiFailure(401, 'UNAUTHORIZED', 'the session token is unknown or expired');
    }
    return row.openid;
  }

  async purgeExpired(): Promise<void> {
    await this.ctx.storage.sessions.deleteExpired(this.ctx.clock.now());
  }
}
