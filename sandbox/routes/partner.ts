import { Type, type Static } from 'typebox';
import { canonicalJson, notifyUrlProblem, parseRfc3339 } from '../canonical';
import type { App, SandboxContext } from '../context';
import { paramError, WechatPayError } from '../http/errors';
import { openidBelongsTo } from '../ids';
import { blankOrderState, openOrder } from '../order-open';
import type { Order, PartnerParties } from '../store';
import { partnerTransactionView } from '../trade';
import { knownApps } from './login';
import { closeV3, MAX_TOTAL_FEN, OUT_TRADE_NO_PATTERN, v3PrepayOrThrow } from './transactions';

const Id32 = Type.String({ minLength: 1, maxLength: 32 });
const Openid = Type.String({ minLength: 1, maxLength: 128 });
const FreeObject = Type.Object({}, { additionalProperties: true });

const PartnerJsapiBody = Type.Object({
  sp_appid: Id32,
  sp_mchid: Id32,
  sub_appid: Type.Optional(Id32),
  sub_mchid: Id32,
  description: Type.String({ minLength: 1, maxLength: 127 }),
  out_trade_no: Type.String({ pattern: OUT_TRADE_NO_PATTERN }),
  time_expire: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  attach: Type.Optional(Type.String({ maxLength: 128 })),
  notify_url: Type.String({ minLength: 1, maxLength: 255 }),
  goods_tag: Type.Optional(Type.String({ maxLength: 32 })),
  support_fapiao: Type.Optional(Type.Boolean()),
  amount: Type.Object({
    total: Type.Integer({ minimum: 1, maximum: MAX_TOTAL_FEN }),
    currency: Type.Optional(Type.Literal('CNY')),
  }),
  payer: Type.Object({ sp_openid: Type.Optional(Openid), sub_openid: Type.Optional(Openid) }),
  detail: Type.Optional(FreeObject),
  scene_info: Type.Optional(FreeObject),
  settle_info: Type.Optional(FreeObject),
});

const PartnerQuery = Type.Object({ sp_mchid: Id32, sub_mchid: Id32 });
const OutTradeNoParams = Type.Object({
  out_trade_no: Type.String({ pattern: OUT_TRADE_NO_PATTERN }),
});

/** Partner endpoints: only the service provider, naming itself, and a sub-merchant bound to it. */
function requirePartner(
  ctx: SandboxContext,
  authMchid: string | undefined,
  spMchid: string,
  subMchid: string,
): void {
  const c = ctx.keys.credentials;
  if (authMchid !== c.spMchId) {
    throw new WechatPayError(403, 'NO_AUTH', '直连商户号不能调用服务商接口');
  }
  if (spMchid !== c.spMchId) {
    throw new WechatPayError(403, 'NO_AUTH', '商户无权限: sp_mchid与请求方商户号不一致');
  }
  if (!c.subMchIds.includes(subMchid)) {
    throw new WechatPayError(403, 'NO_AUTH', '特约商户与服务商不存在绑定关系');
  }
}

/** The partner order of that sub-merchant; another sub-merchant's reads as unknown. */
function partnerOrder(order: Order | undefined, subMchid: string): Order | undefined {
  return order?.partner?.subMchid === subMchid ? order : undefined;
}

/** The payer's openid under sp_appid, if the sandbox minted the user a code for that app too. */
function spOpenidOf(
  ctx: SandboxContext,
  spAppid: string,
  subAppid: string,
  subOpenid: string,
): string | undefined {
  for (const code of ctx.store.codes.values()) {
    if (code.appid !== subAppid || code.openid !== subOpenid) continue;
    for (const other of ctx.store.codes.values()) {
      if (other.appid === spAppid && other.user === code.user) return other.openid;
    }
  }
  return undefined;
}

type PartnerBody = Static<typeof PartnerJsapiBody>;

/** Who pays and under which app, after checking the openid belongs to that app. */
function payerOf(
  ctx: SandboxContext,
  body: PartnerBody,
): Pick<Order, 'appid' | 'payerOpenid'> & Pick<PartnerParties, 'payerKind' | 'spOpenid'> {
  const salt = ctx.keys.openidSalt;
  const { sp_openid: spOpenid, sub_openid: subOpenid } = body.payer;
  if (subOpenid !== undefined) {
    if (body.sub_appid === undefined) {
      throw paramError('传入sub_openid时sub_appid为必填项', {
        field: '#/properties/sub_appid',
        location: 'body',
      });
    }
    if (!openidBelongsTo(salt, body.sub_appid, subOpenid)) {
      throw paramError('sub_appid和sub_openid不匹配', {
        field: '#/properties/payer/properties/sub_openid',
        location: 'body',
      });
    }
  }
  if (spOpenid !== undefined && !openidBelongsTo(salt, body.sp_appid, spOpenid)) {
    throw paramError('sp_appid和sp_openid不匹配', {
      field: '#/properties/payer/properties/sp_openid',
      location: 'body',
    });
  }
  if (subOpenid !== undefined && body.sub_appid !== undefined) {
    const known = spOpenid ?? spOpenidOf(ctx, body.sp_appid, body.sub_appid, subOpenid);
    return {
      appid: body.sub_appid,
      payerOpenid: subOpenid,
      payerKind: 'sub',
      ...(known === undefined ? {} : { spOpenid: known }),
    };
  }
  if (spOpenid === undefined) {
    throw paramError('payer.sp_openid和payer.sub_openid不能同时为空', {
      field: '#/properties/payer',
      location: 'body',
    });
  }
  return { appid: body.sp_appid, payerOpenid: spOpenid, payerKind: 'sp', spOpenid };
}

export function partnerRoutes(app: App, ctx: SandboxContext): void {
  app.post(
    '/v3/pay/partner/transactions/jsapi',
    { schema: { body: PartnerJsapiBody }, config: { endpoint: 'jsapi' } },
    async (req) => {
      const body = req.body;
      requirePartner(ctx, req.authMchid, body.sp_mchid, body.sub_mchid);
      if (body.sp_appid !== ctx.keys.credentials.appId) {
        throw new WechatPayError(400, 'APPID_MCHID_NOT_MATCH', 'sp_appid和sp_mchid不匹配');
      }
      if (body.sub_appid !== undefined && !knownApps(ctx).has(body.sub_appid)) {
        throw new WechatPayError(400, 'APPID_MCHID_NOT_MATCH', 'sub_appid和sub_mchid不匹配');
      }
      const urlProblem = notifyUrlProblem(body.notify_url);
      if (urlProblem)
        throw paramError(urlProblem, { field: '#/properties/notify_url', location: 'body' });
      let timeExpireMs: number | undefined;
      if (body.time_expire !== undefined) {
        timeExpireMs = parseRfc3339(body.time_expire);
        if (timeExpireMs === undefined) {
          throw paramError('time_expire格式错误，应为RFC 3339格式，如2018-06-08T10:34:56+08:00', {
            field: '#/properties/time_expire',
            location: 'body',
          });
        }
      }
      const { payerKind, spOpenid, ...payer } = payerOf(ctx, body);
      const params = structuredClone(body) as Record<string, unknown>;
      // As for direct orders, only the payer's IP may change between retries.
      const scene = params.scene_info as Record<string, unknown> | undefined;
      if (scene !== undefined) delete scene.payer_client_ip;
      (params.amount as Record<string, unknown>).currency = body.amount.currency ?? 'CNY';
      const partner: PartnerParties = {
        spAppid: body.sp_appid,
        spMchid: body.sp_mchid,
        subMchid: body.sub_mchid,
        payerKind,
      };
      if (body.sub_appid !== undefined) partner.subAppid = body.sub_appid;
      if (spOpenid !== undefined) partner.spOpenid = spOpenid;
      const order: Order = {
        scheme: 'v3-partner',
        partner,
        ...payer,
        mchid: body.sp_mchid,
        outTradeNo: body.out_trade_no,
        description: body.description,
        notifyUrl: body.notify_url,
        total: body.amount.total,
        currency: body.amount.currency ?? 'CNY',
        paramsKey: canonicalJson(params),
        ...blankOrderState(ctx.clock.now()),
      };
      if (body.attach !== undefined) order.attach = body.attach;
      if (body.time_expire !== undefined && timeExpireMs !== undefined) {
        order.timeExpire = body.time_expire;
        order.timeExpireMs = timeExpireMs;
      }
      return { prepay_id: v3PrepayOrThrow(openOrder(ctx, order)) };
    },
  );

  const notFound = (): WechatPayError => new WechatPayError(404, 'ORDER_NOT_EXIST', '订单不存在');

  app.get(
    '/v3/pay/partner/transactions/out-trade-no/:out_trade_no',
    {
      schema: { params: OutTradeNoParams, querystring: PartnerQuery },
      config: { endpoint: 'query' },
    },
    async (req) => {
      const { sp_mchid: spMchid, sub_mchid: subMchid } = req.query;
      requirePartner(ctx, req.authMchid, spMchid, subMchid);
      const order = partnerOrder(ctx.store.orders.get(req.params.out_trade_no), subMchid);
      if (order === undefined) throw notFound();
      return partnerTransactionView(order);
    },
  );

  app.get(
    '/v3/pay/partner/transactions/id/:transaction_id',
    {
      schema: {
        params: Type.Object({ transaction_id: Type.String({ pattern: '^[0-9]{1,32}$' }) }),
        querystring: PartnerQuery,
      },
      config: { endpoint: 'query' },
    },
    async (req) => {
      const { sp_mchid: spMchid, sub_mchid: subMchid } = req.query;
      requirePartner(ctx, req.authMchid, spMchid, subMchid);
      const order = partnerOrder(
        ctx.store.orderByTransactionId(req.params.transaction_id),
        subMchid,
      );
      if (order === undefined) throw notFound();
      return partnerTransactionView(order);
    },
  );

  app.post(
    '/v3/pay/partner/transactions/out-trade-no/:out_trade_no/close',
    { schema: { params: OutTradeNoParams, body: PartnerQuery }, config: { endpoint: 'close' } },
    async (req, reply) => {
      requirePartner(ctx, req.authMchid, req.body.sp_mchid, req.body.sub_mchid);
      closeV3(ctx, partnerOrder(ctx.store.orders.get(req.params.out_trade_no), req.body.sub_mchid));
      return reply.code(204).send();
    },
  );
}
