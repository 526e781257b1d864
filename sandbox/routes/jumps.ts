/**
 * Jumps between mini programs, as the WeChat client reports them:
 * POST /sandbox/jumps  one event (dialog, open, return) → 204;
 * GET  /sandbox/jumps  → { jumps: [...] }, oldest first (at most MAX_JUMPS_KEPT).
 */
import { Type } from 'typebox';
import type { App, SandboxContext } from '../context';
import { ControlError } from '../http/errors';
import { jumpView, type JumpEventInput } from '../jumps';

const lit = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

/** What navigateToMiniProgram / openEmbeddedMiniProgram may carry; WeChat's own limit is not documented. */
export const MAX_EXTRA_DATA_BYTES = 2048;

const OPEN_APIS = ['navigateToMiniProgram', 'openEmbeddedMiniProgram'] as const;
const RETURN_APIS = ['navigateBackMiniProgram', 'swipe-away'] as const;

const AppIdSchema = Type.String({ minLength: 1, maxLength: 64 });

const JumpBody = Type.Object(
  {
    event: lit(['open', 'dialog', 'return'] as const),
    from: AppIdSchema,
    to: AppIdSchema,
    api: Type.Optional(lit([...OPEN_APIS, ...RETURN_APIS])),
    kind: Type.Optional(lit(['embedded', 'full-screen', 'fallback'] as const)),
    reason: Type.Optional(lit(['not-approved', 'not-declared', 'landscape'] as const)),
    answer: Type.Optional(lit(['confirm', 'cancel'] as const)),
    path: Type.Optional(Type.String({ maxLength: 1024 })),
    apiCategory: Type.Optional(lit(['default', 'embedded'] as const)),
    extraData: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 64 })),
    extraDataLost: Type.Optional(Type.Boolean()),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);

/** The rules between fields the schema cannot say; undefined when the event holds together. */
function problemOf(e: JumpEventInput): string | undefined {
  if (e.from === e.to) return 'from and to must be different mini programs';
  if (e.extraData !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(e.extraData));
    if (bytes > MAX_EXTRA_DATA_BYTES) {
      return `extraData is ${bytes} bytes serialised, more than ${MAX_EXTRA_DATA_BYTES}`;
    }
  }
  const isOpenApi = (OPEN_APIS as readonly string[]).includes(e.api ?? '');
  if (e.event === 'return') {
    if (!(RETURN_APIS as readonly string[]).includes(e.api ?? '')) {
      return `a return needs api ${RETURN_APIS.join(' or ')}`;
    }
    if (e.kind !== undefined || e.reason !== undefined || e.answer !== undefined) {
      return 'a return has no kind, reason or answer';
    }
    if (e.api === 'swipe-away' && e.extraData !== undefined) {
      return 'a swipe-away carries no extraData';
    }
    return undefined;
  }
  if (!isOpenApi) return `an ${e.event} needs api ${OPEN_APIS.join(' or ')}`;
  if (e.extraDataLost !== undefined) return 'only a return can lose its extraData';
  if (e.event === 'open' && e.kind === undefined) return 'an open needs its kind';
  if (e.event === 'open' && e.answer !== undefined) return 'an open has no dialog answer';
  if (e.event === 'dialog' && e.answer === undefined) return 'a dialog needs its answer';
  if (e.kind !== undefined && e.kind !== 'full-screen' && e.api !== 'openEmbeddedMiniProgram') {
    return `kind ${e.kind} is for openEmbeddedMiniProgram only`;
  }
  if (e.reason !== undefined && e.kind !== 'fallback') return 'a reason is for kind fallback only';
  if (e.kind === 'fallback' && e.reason === undefined) return 'a fallback needs its reason';
  return undefined;
}

export function jumpRoutes(app: App, ctx: SandboxContext): void {
  app.post('/sandbox/jumps', { schema: { body: JumpBody } }, async (req, reply) => {
    const input = req.body as JumpEventInput;
    const problem = problemOf(input);
    if (problem !== undefined) throw new ControlError(400, 'PARAM_ERROR', problem);
    ctx.store.jumps.record(input, ctx.clock.now());
    return reply.code(204).send();
  });

  app.get('/sandbox/jumps', async () => ({ jumps: ctx.store.jumps.events.map(jumpView) }));
}
