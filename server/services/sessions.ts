/** Opaque bearer sessions: the token is random, only its SHA-256 is stored; session_key never leaves. */
import { createHash, randomBytes } from 'node:crypto';
import type { SessionResponse } from '../../typings/api';
import { payerApps } from '../config';
import { ApiFailure } from '../errors';
import { HttpClient } from '../wechat/http-client';
import { LoginError, code2Session } from '../wechat/login';
import type { ServiceContext } from './context';

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Who a bearer token speaks for: an openid, and the AppID that openid was issued under. */
export interface SessionPayer {
  openid: string;
  appId: string;
}

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

  /**
   * The app a client asks to sign in under: the owner's when it names none, else the owner's or
   * the configured cashier's. Anything else is 400 before a code is spent or WeChat is asked.
   */
  resolveApp(appId: string | undefined): { appId: string; appSecret: string } {
    const apps = payerApps(this.ctx.config);
    const app = appId === undefined ? apps[0] : apps.find((a) => a.appId === appId);
    if (!app)
      throw new ApiFailure(
        400,
        'VALIDATION_ERROR',
        `appId ${appId ?? ''} is neither the owner mini program nor the configured cashier`,
      );
    return app;
  }

  /** `appId`: the mini program whose wx.login made the code (default the owner app). */
  async login(code: string, appId?: string): Promise<SessionResponse & { appId: string }> {
    const { config, logger } = this.ctx;
    const app = this.resolveApp(appId);
    let result;
    try {
      result = await code2Session(
        {
          http: this.wechatApi,
          // The code is only good with the secret of the app that made it.
          appId: app.appId,
          appSecret: app.appSecret,
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
      appid: app.appId,
      session_key: result.sessionKey,
      created_at: now,
      expires_at: now + config.sessionTtlSeconds * 1000,
    });
    return {
      token,
      openid: result.openid,
      expiresIn: config.sessionTtlSeconds,
      appId: app.appId,
    };
  }

  /** The payer behind a bearer token (openid and its AppID), or 401. */
  async authenticate(authorization: string | undefined): Promise<SessionPayer> {
    const m = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(authorization ?? '');
    if (!m?.[1]) throw new ApiFailure(401, 'UNAUTHORIZED', 'a Bearer session token is required');
    const row = await this.ctx.storage.sessions.find(hashToken(m[1]));
    if (!row || row.expires_at <= this.ctx.clock.now()) {
      throw new ApiFailure(401, 'UNAUTHORIZED', 'the session token is unknown or expired');
    }
    // Sessions from before 0006 have no appid: they were all made for the owner app.
    return { openid: row.openid, appId: row.appid ?? this.ctx.config.appId };
  }

  async purgeExpired(): Promise<void> {
    await this.ctx.storage.sessions.deleteExpired(this.ctx.clock.now());
  }
}
