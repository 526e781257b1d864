/** Per-route rate limits (off unless a route opts in), answering 429 RATE_LIMITED. */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ApiFailure } from '../errors';

export async function registerRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) =>
      new ApiFailure(
        429,
        'RATE_LIMITED',
        `too many requests: retry in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
}
