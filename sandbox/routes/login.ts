import { Type } from 'typebox';
import type { App, SandboxContext } from '../context';
import { rid } from '../http/faults-hook';
import { ControlError } from '../http/errors';
import { loginCode, openidFor, sessionKey } from '../ids';

export const CODE_LIFETIME_S = 300;

/** Apps the sandbox knows: appid → secret. The merchant's app first. */
export function knownApps(ctx: SandboxContext): Map<string, string> {
  const { credentials, otherApp, consumerApp } = ctx.keys;
  return new Map([
    [credentials.appId, credentials.appSecret],
    [otherApp.appId, otherApp.appSecret],
    [consumerApp.appId, consumerApp.appSecret],
    // The merchant's cashier mini program: its users get openids of their own, as for any app.
    [credentials.cashierApp.appId, credentials.cashierApp.appSecret],
  ]);
}

const Code2SessionQuery = Type.Object({
  appid: Type.Optional(Type.String()),
  secret: Type.Optional(Type.String()),
  js_code: Type.Optional(Type.String()),
  grant_type: Type.Optional(Type.String()),
});

const LoginCodeBody = Type.Object(
  {
    appid: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    user: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

export function loginRoutes(app: App, ctx: SandboxContext): void {
  app.get(
    '/sns/jscode2session',
    { schema: { querystring: Code2SessionQuery }, config: { endpoint: 'code2session' } },
    async (req, reply) => {
      // WeChat answers 200 text/plain for successes and errors alike.
      const answer = (payload: Record<string, unknown>): string => {
        void reply.header('Content-Type', 'text/plain');
        return JSON.stringify(payload);
      };
      const fail = (errcode: number, errmsg: string): string =>
        answer({ errcode, errmsg: `${errmsg}, rid: ${rid()}` });
      const { appid, secret, js_code: code, grant_type: grantType } = req.query;
      if (!appid) return fail(41002, 'appid missing');
      if (!secret) return fail(41004, 'appsecret missing');
      if (!code) return fail(41008, 'missing code');
      if (grantType !== 'authorization_code') return fail(40002, 'invalid grant_type');
      const apps = knownApps(ctx);
      const expected = apps.get(appid);
      if (expected === undefined) return fail(40013, 'invalid appid');
      if (secret !== expected) return fail(40125, 'invalid appsecret');
      const entry = ctx.store.codes.get(code);
      if (entry === undefined || entry.appid !== appid || entry.expiresAt <= ctx.clock.now()) {
        return fail(40029, 'invalid code');
      }
      if (entry.used) return fail(40163, 'code been used');
      entry.used = true;
      return answer({ session_key: sessionKey(), openid: entry.openid });
    },
  );

  app.post('/sandbox/login-code', { schema: { body: LoginCodeBody } }, async (req) => {
    const appid = req.body.appid ?? ctx.keys.credentials.appId;
    if (!knownApps(ctx).has(appid)) {
      throw new ControlError(400, 'UNKNOWN_APPID', `appid ${appid} is not an app of this sandbox`);
    }
    const code = loginCode();
    const openid = openidFor(ctx.keys.openidSalt, appid, req.body.user);
    ctx.store.codes.set(code, {
      code,
      appid,
      user: req.body.user,
      openid,
      expiresAt: ctx.clock.now() + CODE_LIFETIME_S * 1000,
      used: false,
    });
    return { code, openid, expiresIn: CODE_LIFETIME_S };
  });
}
