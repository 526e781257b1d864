/**
 * buildApp(config, deps): the Fastify app with its plugins, routes, services and jobs.
 * It does not listen; startServer (index.ts) does.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import pino from 'pino';
import { JumpOut } from './aggregator/jump-out';
import { AggregatorNotifications } from './aggregator/notifications';
import { createAggregatorProvider } from './aggregator/providers';
import { systemClock } from './clock';
import type { Clock } from './clock';
import { validateConfig } from './config';
import type { ServerConfig } from './config';
import { openStorage } from './db/connect';
import type { Storage } from './db/connect';
import { ApiFailure } from './errors';
import { startJobs } from './jobs';
import type { JobRunner } from './jobs';
import { loggerOptions } from './logger';
import { registerErrorHandling } from './plugins/errors';
import { registerRateLimit } from './plugins/rate-limit';
import { registerAuth } from './plugins/auth';
import { utf8JsonBody } from './plugins/json-body';
import { clientErrorHandler, frameworkErrors } from './plugins/transport-errors';
import jumpOutRoutes from './routes/api/aggregator/jump-out';
import aggregatorNotifyRoutes from './routes/api/aggregator/notify';
import catalogRoutes, { CASHIER_PAY_PAGE } from './routes/api/catalog';
import type { CatalogDeps } from './routes/api/catalog';
import type { PaymentChannel } from '../typings/api';
import orderRoutes from './routes/api/orders';
import notifyRoutes from './routes/api/pay/notify';
import sessionRoutes from './routes/api/session';
import type { RouteDeps } from './routes/types';
import { HealthResponseSchema, errorResponses } from './schemas';
import { ajvTextFormats } from './schemas/text';
import type { ServiceContext } from './services/context';
import { NotifyService } from './services/notify';
import { Checkout } from './services/checkout';
import { OrderRecords } from './services/order-records';
import { Refunds } from './services/refunds';
import { Settlement } from './services/settlement';
import { SessionService } from './services/sessions';
import { SubMerchants } from './services/sub-merchants';
import { createPayGateway } from './wechat/pay/gateway';

export interface AppDeps {
  /** Opened from config.databaseUrl when absent (and then closed with the app). */
  storage?: Storage;
  clock?: Clock;
  logger?: Logger;
  /** Resolves the notify URL when config.notifyUrl is unset (startServer knows the listen URL). */
  ownUrl?: () => string;
}

export interface BuiltApp {
  app: FastifyInstance;
  storage: Storage;
  jobs: JobRunner;
  sessions: SessionService;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(config: ServerConfig, deps: AppDeps = {}): Promise<BuiltApp> {
  validateConfig(config);
  // Synchronous writes: a line is in the kernel's hands before the code after it runs, so the
  // lines that matter ("order paid", refunds, refusals) survive a SIGKILL right after them.
  // pino's default stream buffers and writes later, and loses what it held when killed.
  const logger =
    deps.logger ?? pino(loggerOptions(config.logLevel), pino.destination({ fd: 1, sync: true }));
  const clock = deps.clock ?? systemClock;
  const ownsStorage = !deps.storage;
  const storage = deps.storage ?? (await openStorage(config.databaseUrl, config.databasePoolSize));

  const pay = createPayGateway(config, {
    logger,
    clock,
    notifyUrl: () => {
      if (config.notifyUrl) return config.notifyUrl;
      if (deps.ownUrl) return `${deps.ownUrl()}/api/pay/notify`;
      throw new Error('no notify URL: set NOTIFY_URL');
    },
  });
  const ctx: ServiceContext = {
    config,
    storage,
    clock,
    logger,
    pay,
    subMerchants: new SubMerchants(config),
  };
  const records = new OrderRecords(ctx);
  const settlement = new Settlement(ctx, records);
  const checkout = new Checkout(ctx, records, settlement);
  const refunds = new Refunds(ctx);
  const sessions = new SessionService(ctx);
  const notify = new NotifyService(ctx, records, settlement, refunds);
  const services = { records, checkout, settlement, refunds };
  // The jump-out channel, when AGGREGATOR_PROVIDER configures one.
  const aggregator = config.aggregator
    ? { config: config.aggregator, provider: createAggregatorProvider(config.aggregator) }
    : undefined;
  const jumpOut = new JumpOut(ctx, records, aggregator, () => {
    if (config.aggregator?.notifyUrl) return config.aggregator.notifyUrl;
    if (deps.ownUrl) return `${deps.ownUrl()}/api/aggregator/notify`;
    throw new Error('no aggregator notify URL: set AGGREGATOR_NOTIFY_URL');
  });

  const base = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: true, formats: ajvTextFormats } },
    frameworkErrors,
    clientErrorHandler,
    // Our onRequest hook answers during shutdown with an ApiError instead.
    return503OnClosing: false,
  });
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  // Graceful shutdown: requests already running finish, and their keep-alive connections are
  // released with the answer so close() does not wait on idle sockets; a request arriving on a
  // kept-alive connection meanwhile gets a 503 ApiError.
  // The two per-request hooks take callbacks: an async hook costs a promise per request.
  let closing = false;
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done(closing ? new ApiFailure(503, 'INTERNAL', 'the server is shutting down') : undefined);
  });
  app.addHook('preClose', async () => {
    closing = true;
    base.server.closeIdleConnections();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  registerErrorHandling(base);
  utf8JsonBody(base);
  await registerRateLimit(base);

  // One file per URL prefix; routes declare `config.auth` and this one hook enforces it.
  registerAuth(base, { adminToken: config.adminToken, sessions });
  const routeDeps: RouteDeps = { config, storage, ...services, sessions, notify };
  await app.register(
    catalogRoutes,
    channelsOf(config, ctx.pay.payerAppIds, aggregator !== undefined),
  );
  await app.register(sessionRoutes, routeDeps);
  await app.register(orderRoutes, routeDeps);
  await app.register(notifyRoutes, routeDeps);
  await app.register(jumpOutRoutes, { jumpOut });
  if (aggregator) {
    const notifications = new AggregatorNotifications({
      storage,
      clock,
      logger,
      provider: aggregator.provider,
      mchId: aggregator.config.mchId,
    });
    await app.register(aggregatorNotifyRoutes, { provider: aggregator.provider, notifications });
  }

  app.get(
    '/healthz',
    { schema: { response: { 200: HealthResponseSchema, ...errorResponses } } },
    async () => {
      try {
        await storage.ping();
      } catch {
        throw new ApiFailure(503, 'INTERNAL', 'database unreachable');
      }
      return { status: 'ok' as const, database: 'ok' as const };
    },
  );

  const jobs = startJobs({
    config,
    storage,
    records,
    settlement,
    refunds,
    sessions,
    clock,
    logger,
  });
  app.addHook('onClose', async () => {
    await jobs.stop();
    ctx.pay.destroy();
    sessions.close();
    if (ownsStorage) await storage.close();
  });

  return { app: base, storage, jobs, sessions };
}

/**
 * The channels the shop may offer: half-screen exactly when a cashier AppID is configured and
 * the payment scheme can pay under it; jump-out exactly when an aggregator is configured.
 */
function channelsOf(
  config: ServerConfig,
  payerAppIds: readonly string[],
  aggregator: boolean,
): CatalogDeps {
  const cashier = config.cashierApp;
  const halfScreen = cashier !== undefined && payerAppIds.includes(cashier.appId);
  const channels: PaymentChannel[] = ['plugin'];
  if (halfScreen) channels.push('half-screen');
  if (aggregator) channels.push('jump-out');
  return {
    channels,
    ...(halfScreen
      ? {
          cashierApp: {
            appId: cashier.appId,
            path: CASHIER_PAY_PAGE,
            envVersion: config.cashierEnvVersion ?? 'release',
          },
        }
      : {}),
  };
}
