import Fastify, { type FastifyError } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { aggregatorRoutes, createAggregator } from './aggregator';
import type { App, SandboxContext } from './context';
import { ControlError, validationToWechat, WechatPayError } from './http/errors';
import { faultsHook } from './http/faults-hook';
import { v3AuthHook, v3SignHook } from './http/v3-wire';
import { requestId } from './ids';
import { platformSignature } from './platform';
import { cashierRoutes } from './routes/cashier';
import { controlRoutes } from './routes/control';
import { inspectRoutes } from './routes/inspect';
import { jumpRoutes } from './routes/jumps';
import { loginRoutes } from './routes/login';
import { refundRoutes } from './routes/refunds';
import { partnerRoutes } from './routes/partner';
import { transactionRoutes } from './routes/transactions';
import { v2Routes } from './routes/v2-pay';
import { isV2Path, transportFail } from './v2/wire';

/** WeChat Pay caps request bodies well below this; bigger bodies are refused before parsing. */
export const BODY_LIMIT_BYTES = 64 * 1024;

type Family = 'v3' | 'v2' | 'login' | 'control';

/**
 * Request log lines carry the URL, and code2Session's query carries the app secret: drop that
 * query from the log (the URL is logged once, on arrival).
 */
function censorLogged(value: unknown, path: string[]): unknown {
  if (path[path.length - 1] !== 'url' || typeof value !== 'string') return '[Redacted]';
  const q = value.indexOf('?');
  return q >= 0 && familyOf(value) === 'login' ? `${value.slice(0, q)}?[Redacted]` : value;
}

function familyOf(url: string): Family {
  if (url.startsWith('/v3/')) return 'v3';
  if (url.startsWith('/sns/')) return 'login';
  if (isV2Path(url)) return 'v2';
  return 'control';
}

export function buildApp(ctx: SandboxContext, logger: boolean): App {
  const app = Fastify({
    logger: logger
      ? {
          level: 'info',
          redact: { paths: ['req.headers.authorization', 'req.url'], censor: censorLogged },
        }
      : false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    genReqId: requestId,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('bodyProblem', undefined);
  app.decorateRequest('faultHits', undefined);
  app.decorateRequest('authMchid', undefined);
  app.decorateRequest('rawBytes', undefined);

  // One parser for everything: keep the exact bytes (v3 signatures cover them) and defer any
  // problem with them until after authentication, as WeChat does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const raw = body as string;
    req.rawBody = raw;
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      req.bodyProblem = 'Content-Type必须为application/json';
      done(null, undefined);
      return;
    }
    try {
      done(null, raw === '' ? undefined : (JSON.parse(raw) as unknown));
    } catch {
      req.bodyProblem = '请求体不是合法的JSON';
      done(null, undefined);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('Request-ID', req.id);
  });
  app.addHook('onRequest', faultsHook(ctx));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const family = familyOf(req.url);
    if (family === 'v3') {
      const wechat =
        err instanceof WechatPayError
          ? err
          : err.validation
            ? validationToWechat(err.validation, err.validationContext ?? 'body')
            : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
              ? new WechatPayError(400, 'INVALID_REQUEST', `请求体超过${BODY_LIMIT_BYTES}字节`)
              : new WechatPayError(500, 'SYSTEM_ERROR', '系统错误');
      if (wechat.status === 500 && !(err instanceof WechatPayError)) req.log.error(err);
      return reply.code(wechat.status).send(wechat.body());
    }
    if (family === 'v2') {
      const tooLarge = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
      if (!tooLarge) req.log.error(err);
      return reply
        .code(200)
        .type('text/xml; charset=utf-8')
        .send(transportFail(tooLarge ? `请求体超过${BODY_LIMIT_BYTES}字节` : '系统错误'));
    }
    if (family === 'login') {
      req.log.error(err);
      return reply
        .code(200)
        .header('Content-Type', 'text/plain')
        .send(JSON.stringify({ errcode: -1, errmsg: 'system error' }));
    }
    if (err instanceof ControlError) {
      return reply.code(err.status).send({ code: err.code, message: err.message });
    }
    if (err.validation) {
      return reply.code(400).send({ code: 'PARAM_ERROR', message: err.message });
    }
    const status = err.statusCode !== undefined && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error(err);
    return reply.code(status).send({
      code: status === 500 ? 'SYSTEM_ERROR' : (err.code ?? 'BAD_REQUEST'),
      message: err.message,
    });
  });

  app.setNotFoundHandler((req, reply) => {
    if (familyOf(req.url) === 'v3') {
      // Outside the v3 scope's hooks, so sign here: every v3 answer carries a signature.
      const body = JSON.stringify({
        code: 'RESOURCE_NOT_EXISTS',
        message: `${req.method} ${req.url.split('?')[0] ?? ''} 不存在`,
      });
      const headers = platformSignature(ctx.keys, ctx.settings.serialMode, body, undefined);
      return reply
        .code(404)
        .headers({ ...headers })
        .type('application/json; charset=utf-8')
        .send(body);
    }
    if (familyOf(req.url) === 'v2') {
      return reply
        .code(404)
        .type('text/xml; charset=utf-8')
        .send(transportFail(`${req.url.split('?')[0] ?? ''} 不存在`));
    }
    return reply
      .code(404)
      .send({ code: 'NOT_FOUND', message: `${req.method} ${req.url} not found` });
  });

  void app.register(async (scoped: App) => {
    scoped.addHook('preValidation', v3AuthHook(ctx));
    scoped.addHook('onSend', v3SignHook(ctx));
    transactionRoutes(scoped, ctx);
    partnerRoutes(scoped, ctx);
    refundRoutes(scoped, ctx);
  });

  v2Routes(app, ctx);

  // The aggregator (jump-out channel) is another company: its state lives beside WeChat's.
  const aggregator = createAggregator(ctx);
  app.addHook('onClose', async () => aggregator.close());

  void app.register(async (scoped: App) => {
    scoped.addHook('preValidation', async (req) => {
      if (req.bodyProblem !== undefined)
        throw new ControlError(400, 'INVALID_REQUEST', req.bodyProblem);
    });
    loginRoutes(scoped, ctx);
    cashierRoutes(scoped, ctx);
    controlRoutes(scoped, ctx);
    jumpRoutes(scoped, ctx);
    aggregatorRoutes(scoped, aggregator);
    inspectRoutes(scoped, ctx, aggregator.state);
  });

  return app;
}
