import type { FastifyReply, FastifyRequest } from 'fastify';
import { TextDecoder } from 'node:util';
import type { App, SandboxContext } from '../context';
import { randomAlnum } from '../ids';
import type { FaultEndpoint } from '../types';
import { corruptV2Sign, isV2SignType, v2Sign, v2SignMatches, type V2SignType } from './sign';
import { buildFlatXml, parseFlatXml, XmlFormatError } from './xml';

export type Fields = Record<string, string | undefined>;

/** A request that passed the transport checks: fields, and the sign type it was signed with. */
export interface V2Call {
  fields: Record<string, string>;
  signType: V2SignType;
  req: FastifyRequest;
}

/** A business answer: the fields of a SUCCESS, or result_code FAIL with err_code. */
export type V2Outcome = { ok: Fields } | { errCode: string; errDes: string };

export const v2Fail = (errCode: string, errDes: string): V2Outcome => ({ errCode, errDes });

export interface V2Endpoint {
  url: string;
  endpoint: FaultEndpoint;
  /** Fields beyond the common ones (appid, mch_id, nonce_str) without which it is LACK_PARAMS. */
  required: readonly string[];
  /** Refuses before the body is read (the TLS check of /secapi/pay/refund), unsigned. */
  gate?: (req: FastifyRequest) => string | undefined;
  handle: (call: V2Call) => V2Outcome;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** return_code FAIL: a transport problem, answered without a signature (WeChat does the same). */
export function transportFail(message: string): string {
  return buildFlatXml({ return_code: 'FAIL', return_msg: message });
}

function decode(bytes: Buffer): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Everything between the HTTP request and a business handler: POST only, a non-empty UTF-8 body
 * of flat XML, a known sign_type and a signature that verifies with the APIv2 key. Failures there
 * are return_code FAIL; past them every answer is signed with the request's sign_type.
 */
function answer(ctx: SandboxContext, spec: V2Endpoint, req: FastifyRequest): string {
  if (req.method !== 'POST') return transportFail('REQUIRE_POST_METHOD');
  const gateProblem = spec.gate?.(req);
  if (gateProblem !== undefined) return transportFail(gateProblem);
  const bytes = req.rawBytes;
  if (bytes === undefined || bytes.length === 0) return transportFail('POST_DATA_EMPTY');
  const text = decode(bytes);
  if (text === undefined) return transportFail('NOT_UTF8');
  let fields: Record<string, string>;
  try {
    fields = parseFlatXml(text);
  } catch (err) {
    if (err instanceof XmlFormatError) return transportFail('XML_FORMAT_ERROR');
    throw err;
  }
  const signType =
    fields.sign_type === undefined || fields.sign_type === '' ? 'MD5' : fields.sign_type;
  if (!isV2SignType(signType)) return transportFail('sign_type参数错误，仅支持MD5和HMAC-SHA256');
  const key = ctx.keys.credentials.apiV2Key;
  if (!v2SignMatches(fields, key, signType, fields.sign)) return transportFail('签名错误');

  const outcome = business(ctx, spec, { fields, signType, req });
  const envelope: Fields = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: fields.appid,
    mch_id: fields.mch_id,
    nonce_str: randomAlnum(32),
    ...('ok' in outcome
      ? { result_code: 'SUCCESS', ...outcome.ok }
      : { result_code: 'FAIL', err_code: outcome.errCode, err_code_des: outcome.errDes }),
  };
  const sign = v2Sign(envelope, key, signType);
  const kinds = req.faultHits?.kinds;
  const spoiled = kinds?.has('bad_signature') === true || kinds?.has('probe_signature') === true;
  return buildFlatXml({ ...envelope, sign: spoiled ? corruptV2Sign(sign) : sign });
}

function business(ctx: SandboxContext, spec: V2Endpoint, call: V2Call): V2Outcome {
  const { fields } = call;
  for (const name of ['appid', 'mch_id', 'nonce_str', ...spec.required]) {
    if (fields[name] === undefined || fields[name] === '')
      return v2Fail('LACK_PARAMS', `缺少参数${name}`);
  }
  const c = ctx.keys.credentials;
  // Both AppIDs bound to the merchant (owner and cashier mini program) may call.
  if (
    (fields.appid !== c.appId && fields.appid !== c.cashierApp.appId) ||
    fields.mch_id !== c.mchId
  ) {
    return v2Fail('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
  }
  if ((fields.nonce_str ?? '').length > 32) return v2Fail('PARAM_ERROR', 'nonce_str长度不能超过32');
  // Faults act after authentication, like WeChat failing inside: the merchant retries as is.
  const kinds = call.req.faultHits?.kinds;
  if (kinds?.has('system_error')) return v2Fail('SYSTEMERROR', '系统繁忙，请稍后再试');
  if (kinds?.has('rate_limited')) return v2Fail('FREQUENCY_LIMITED', '频率限制，请稍后再试');
  return spec.handle(call);
}

function send(reply: FastifyReply, xml: string): FastifyReply {
  return reply.code(200).type('text/xml; charset=utf-8').send(xml);
}

/**
 * Registers v2 endpoints in their own scope: bodies are kept as bytes (UTF-8 is checked, not
 * assumed), and every method reaches the handler so that GET gets REQUIRE_POST_METHOD.
 */
export function registerV2(app: App, ctx: SandboxContext, endpoints: readonly V2Endpoint[]): void {
  void app.register(async (scoped: App) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
      req.rawBytes = body as Buffer;
      done(null, undefined);
    });
    for (const spec of endpoints) {
      scoped.route({
        method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
        url: spec.url,
        config: { endpoint: spec.endpoint, wire: 'v2' },
        handler: async (req, reply) => send(reply, answer(ctx, spec, req)),
      });
    }
  });
}

/** For the app's error handler: a v2 path fails in XML too (body too large, unexpected errors). */
export function isV2Path(url: string): boolean {
  return url.startsWith('/pay/') || url.startsWith('/secapi/');
}
