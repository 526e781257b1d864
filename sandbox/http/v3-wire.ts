import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../context';
import { AUTH_SCHEMA, parseAuthorization, requestMessage, verifyRsaSha256 } from '../crypto/sign';
import { platformSignature, signatureFaultOf } from '../platform';
import { invalidRequest, WechatPayError } from './errors';

/** WeChat refuses request timestamps more than five minutes off its own clock. */
export const MAX_CLOCK_SKEW_S = 300;

function signError(issue: string, extra: Record<string, unknown> = {}): WechatPayError {
  return new WechatPayError(401, 'SIGN_ERROR', '签名错误，请检查后再试', {
    field: 'signature',
    location: 'authorization',
    issue,
    ...extra,
  });
}

/**
 * preValidation hook of every /v3 route: checks the Authorization header against the merchant
 * public key over the raw bytes, then reports body problems. Runs before schema validation, as
 * WeChat authenticates before it looks at parameters.
 */
export function v3AuthHook(ctx: SandboxContext) {
  return async (req: FastifyRequest): Promise<void> => {
    const header = req.headers.authorization;
    const auth = parseAuthorization(header);
    if (typeof auth === 'string') {
      throw signError(
        auth,
        header?.startsWith(AUTH_SCHEMA) ? {} : { expected_schema: AUTH_SCHEMA },
      );
    }
    const c = ctx.keys.credentials;
    // Both accounts of the sandbox sign with the same merchant key (one company holding both).
    if (auth.mchid !== c.mchId && auth.mchid !== c.spMchId) {
      throw signError('mchid in Authorization is not a known merchant');
    }
    if (auth.serial_no !== c.merchantSerialNo) {
      throw signError('serial_no is not the serial of an active merchant API certificate');
    }
    if (!/^\d{1,12}$/.test(auth.timestamp)) throw signError('timestamp must be Unix seconds');
    const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(auth.timestamp));
    if (skew > MAX_CLOCK_SKEW_S) throw signError('timestamp is more than 5 minutes from now');
    const body = req.rawBody ?? '';
    const message = requestMessage(req.method, req.url, auth.timestamp, auth.nonce_str, body);
    if (!verifyRsaSha256(message, auth.signature, ctx.keys.merchantPublicKey)) {
      throw signError('signature does not verify', {
        sign_information: {
          method: req.method,
          url: req.url,
          sign_message_length: Buffer.byteLength(message),
          truncated_sign_message: message.slice(0, 120),
        },
      });
    }
    req.authMchid = auth.mchid;
    if (req.bodyProblem !== undefined) throw invalidRequest(req.bodyProblem);
  };
}

/** onSend hook of every /v3 route: signs whatever goes out (errors included) with the platform key. */
export function v3SignHook(ctx: SandboxContext) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const body =
      payload === undefined || payload === null
        ? ''
        : typeof payload === 'string'
          ? payload
          : Buffer.isBuffer(payload)
            ? payload.toString('utf8')
            : '';
    const fault = signatureFaultOf(req.faultHits?.kinds ?? new Set());
    const headers = platformSignature(ctx.keys, ctx.settings.serialMode, body, fault);
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    return payload;
  };
}
