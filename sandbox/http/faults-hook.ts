import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { SandboxContext } from '../context';
import { WechatPayError } from './errors';

/**
 * onRequest hook: rolls the faults configured for the route's endpoint and applies the ones that
 * act before the handler (latency, reset, timeout, 5xx, 429, code2session errcodes). Signature
 * faults are applied later, when the response is signed.
 */
export function faultsHook(ctx: SandboxContext) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const endpoint = req.routeOptions.config.endpoint;
    if (endpoint === undefined) return;
    const hits = ctx.faults.roll(endpoint);
    req.faultHits = hits;
    if (hits.latencyMs > 0) await ctx.scheduler.sleepReal(hits.latencyMs);
    if (hits.kinds.has('reset')) {
      reply.hijack();
      const socket = req.raw.socket as Socket & { resetAndDestroy?: () => void };
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    if (hits.kinds.has('timeout')) {
      // Never answer; the socket stays open until the client gives up or the sandbox closes.
      reply.hijack();
      return;
    }
    // API v2 answers these after authentication, in signed XML (v2/wire.ts).
    if (req.routeOptions.config.wire === 'v2') return;
    const wechatLogin = endpoint === 'code2session';
    if (hits.kinds.has('system_error')) {
      if (wechatLogin) return loginError(reply, -1, 'system error');
      throw new WechatPayError(500, 'SYSTEM_ERROR', '系统错误');
    }
    if (hits.kinds.has('rate_limited')) {
      if (wechatLogin)
        return loginError(
          reply,
          45011,
          'api minute-quota reach limit  mustslower  retry next minute',
        );
      throw new WechatPayError(429, 'FREQUENCY_LIMITED', '频率超限');
    }
    if (hits.kinds.has('high_risk_user')) {
      return loginError(reply, 40226, 'invalid user, high risk');
    }
  };
}

function loginError(reply: FastifyReply, errcode: number, errmsg: string): void {
  void reply
    .code(200)
    .header('Content-Type', 'text/plain')
    .send(JSON.stringify({ errcode, errmsg: `${errmsg}, rid: ${rid()}` }));
}

export function rid(): string {
  return `${Math.floor(Date.now() / 1000).toString(16)}-${Math.random().toString(16).slice(2, 10)}-${Math.random().toString(16).slice(2, 10)}`;
}
