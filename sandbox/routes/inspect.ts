import type { FastifyReply } from 'fastify';
import type { AggregatorState } from '../aggregator/state';
import type { App, SandboxContext } from '../context';
import { renderDataSection } from '../inspect/data-section';
import { renderPage } from '../inspect/page';
import { FRAGMENT_PATH } from '../inspect/refresh-script';

/** Always the current state: a cached copy would show a refresh that changed nothing. */
function sendHtml(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .header('Cache-Control', 'no-store')
    .header('X-Content-Type-Options', 'nosniff')
    .type('text/html; charset=utf-8')
    .send(html);
}

/**
 * GET /sandbox: a plain page so a person can see what happened. Never shows secrets.
 * GET /sandbox/fragment: the inner HTML of its data section, which the page's script swaps in
 * every few seconds; it takes no input at all.
 */
export function inspectRoutes(app: App, ctx: SandboxContext, aggregator: AggregatorState): void {
  app.get('/sandbox', async (_req, reply) => sendHtml(reply, renderPage(ctx, aggregator)));
  app.get(FRAGMENT_PATH, async (_req, reply) =>
    sendHtml(reply, renderDataSection(ctx, aggregator)),
  );
}
