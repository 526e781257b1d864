/**
 * Authentication in one place: a route declares `config: { auth: 'session' | 'admin' }` and the
 * preHandler hook here enforces it, so handlers never check bearers themselves. It runs after
 * schema validation, as the per-handler checks it replaces did, so error precedence is unchanged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { ApiFailure } from '../errors';
import type { SessionService } from '../services/sessions';

/** `optional-session`: a bearer, when sent, must be valid and sets `openid`; none is fine. */
export type AuthKind = 'session' | 'optional-session' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthKind;
  }
  interface FastifyRequest {
    /** The payer's openid, set for routes with `auth: 'session'` (and a signed-in `optional-session`). */
    openid?: string;
    /** The AppID that openid belongs to (the owner's or the cashier's), set with `openid`. */
    payAppId?: string;
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function requireAdmin(
  adminToken: string | undefined,
  authorization: string | undefined,
): void {
  if (!adminToken)
    throw new ApiFailure(403, 'FORBIDDEN', 'refunds are disabled: ADMIN_TOKEN is not configured');
  const m = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!m?.[1] || !timingSafeEqual(digest(m[1]), digest(adminToken))) {
    throw new ApiFailure(401, 'UNAUTHORIZED', 'admin token required');
  }
}

/** The openid a route handler may rely on after the hook ran for an `auth: 'session'` route. */
export function payer(req: FastifyRequest): string {
  if (req.openid === undefined) throw new Error('route is not declared with auth: session');
  return req.openid;
}

/** The payer and the AppID it signed in under, for an `auth: 'session'` route. */
export function payerWithApp(req: FastifyRequest): { openid: string; appId: string } {
  if (req.openid === undefined || req.payAppId === undefined)
    throw new Error('route is not declared with auth: session');
  return { openid: req.openid, appId: req.payAppId };
}

export function registerAuth(
  app: FastifyInstance,
  deps: { adminToken: string | undefined; sessions: SessionService },
): void {
  // A callback hook: unauthenticated routes pay no promise per request.
  app.addHook(
    'preHandler',
    (req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const auth = req.routeOptions.config.auth;
      if (auth === 'admin') {
        try {
          requireAdmin(deps.adminToken, req.headers.authorization);
        } catch (err) {
          done(err as Error);
          return;
        }
        done();
      } else if (
        auth === 'session' ||
        (auth === 'optional-session' && req.headers.authorization !== undefined)
      ) {
        deps.sessions.authenticate(req.headers.authorization).then(
          (who) => {
            req.openid = who.openid;
            req.payAppId = who.appId;
            done();
          },
          (err: Error) => done(err),
        );
      } else {
        done();
      }
    },
  );
}
