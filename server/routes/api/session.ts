import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SessionRequestSchema, SessionResponseSchema, errorResponses } from '../../schemas';
import type { RouteDeps } from '../types';

const session: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  app.post(
    '/api/session',
    {
      config: { rateLimit: { max: deps.config.sessionRateLimit, timeWindow: 60_000 } },
      schema: {
        body: SessionRequestSchema,
        response: { 200: SessionResponseSchema, ...errorResponses },
      },
    },
    async (req) => deps.sessions.login(req.body.code, req.body.appId),
  );
};

export default session;
