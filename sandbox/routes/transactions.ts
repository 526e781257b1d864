import { Type } from 'typebox';
import type { App, SandboxContext } from '../context';
import { canonicalJson, notifyUrlProblem, parseRfc3339 } from '../canonical';
import { paramError, WechatPayError } from '../http/errors';
import { openidBelongsTo } from '../ids';
import { blankOrderState, openOrder, type OpenResult } from '../order-open';
import type { Order } from '../store';
import { transactionView } from '../trade';

export const OUT_TRADE_NO_PATTERN = '^[A-Za-z0-9_\\-*|]{6,32}$';
/** Amounts are integer fen in a signed 32-bit field on WeChat's side. */
export const MAX_TOTAL_FEN = 2_147_483_647;

const FreeObject = Type.Object({}, { additionalProperties: true });

const JsapiBody = Type.Object({
  appid: Type.String({ minLength: 1, maxLength: 32 }),
  mchid: Type.String({ minLength: 1, maxLength: 32 }),
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
  payer: Type.Object({ openid: Type.String({ minLength: 1, maxLength: 128 }) }),
  detail: Type.Optional(FreeObject),
  scene_info: Type.Optional(FreeObject),
  settle_info: Type.Optional(FreeObject),
});

const OutTradeNoParams = Type.Object({
  out_trade_no: Type.String({ pattern: OUT_TRADE_NO_PATTERN }),
});
const MchidQuery = Type.Object({ mchid: Type.String({ minLength: 1, maxLength: 32 }) });
const CloseBody = Type.Object({ mchid: Type.String({ minLength: 1, maxLength: 32 }) });

/**
 * Direct-merchant endpoints: the caller must be the direct merchant, and name itself. A service
 * provider cannot take money for itself through them.
 */
export function requireOwnMchid(
  ctx: SandboxContext,
  authMchid: string | undefined,
  mchid: string,
): void {
  const c = ctx.keys.credentials;
  if (authMchid === c.spMchId) {
    throw new WechatPayError(403, 'NO_AUTH', '服务商商户号不能调用直连商户接口');
  }
  if (mchid !== c.mchId || authMchid !== c.mchId) {
    throw new WechatPayError(403, 'NO_AUTH', '商户无权限: mchid与请求方商户号不一致');
  }
}

/**
 * The AppIDs bound to the direct merchant (mchId): its owner mini program and its cashier mini
 * program. An order may be placed under either; the cashier then insists the paying app is it.
 */
export function boundAppIds(ctx: SandboxContext): string[] {
  const c = ctx.keys.credentials;
  return [c.appId, c.cashierApp.appId];
}

/** Orders the direct merchant sees: its own (v3 or v2), never a service provider's. */
export function directOrder(ctx: SandboxContext, order: Order | undefined): Order | undefined {
  return order !== undefined && order.partner === undefined ? order : undefined;
}

export function transactionRoutes(app: App, ctx: SandboxContext): void {
  app.post(
    '/v3/pay/transactions/jsapi',
    { schema: { body: JsapiBody }, config: { endpoint: 'jsapi' } },
    async (req) => {
      const body = req.body;
      requireOwnMchid(ctx, req.authMchid, body.mchid);
      if (!boundAppIds(ctx).includes(body.appid)) {
        throw new WechatPayError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
      }
      const urlProblem = notifyUrlProblem(body.notify_url);
      if (urlProblem)
        throw paramError(urlProblem, { field: '#/properties/notify_url', location: 'body' });
      const now = ctx.clock.now();
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
      if (!openidBelongsTo(ctx.keys.openidSalt, body.appid, body.payer.openid)) {
        throw paramError('appid和openid不匹配', {
          field: '#/properties/payer/properties/openid',
          location: 'body',
        });
      }
      const params = structuredClone(body) as Record<string, unknown>;
      // The payer's IP may change between retries; everything else must match exactly.
      const scene = params.scene_info as Record<string, unknown> | undefined;
      if (scene !== undefined) delete scene.payer_client_ip;
      (params.amount as Record<string, unknown>).currency = body.amount.currency ?? 'CNY';
      const paramsKey = canonicalJson(params);

      const order: Order = {
        scheme: 'v3',
        appid: body.appid,
        mchid: body.mchid,
        outTradeNo: body.out_trade_no,
        description: body.description,
        notifyUrl: body.notify_url,
        total: body.amount.total,
        currency: body.amount.currency ?? 'CNY',
        payerOpenid: body.payer.openid,
        paramsKey,
        ...blankOrderState(now),
      };
      if (body.attach !== undefined) order.attach = body.attach;
      if (body.time_expire !== undefined && timeExpireMs !== undefined) {
        order.timeExpire = body.time_expire;
        order.timeExpireMs = timeExpireMs;
      }
      return { prepay_id: v3PrepayOrThrow(openOrder(ctx, order)) };
    },
  );

  app.get(
    '/v3/pay/transactions/out-trade-no/:out_trade_no',
    {
      schema: { params: OutTradeNoParams, querystring: MchidQuery },
      config: { endpoint: 'query' },
    },
    async (req) => {
      requireOwnMchid(ctx, req.authMchid, req.query.mchid);
      const order = directOrder(ctx, ctx.store.orders.get(req.params.out_trade_no));
      if (order === undefined) throw new WechatPayError(404, 'ORDER_NOT_EXIST', '订单不存在');
      return transactionView(order);
    },
  );

  app.get(
    '/v3/pay/transactions/id/:transaction_id',
    {
      schema: {
        params: Type.Object({ transaction_id: Type.String({ pattern: '^[0-9]{1,32}$' }) }),
        querystring: MchidQuery,
      },
      config: { endpoint: 'query' },
    },
    async (req) => {
      requireOwnMchid(ctx, req.authMchid, req.query.mchid);
      const order = directOrder(ctx, ctx.store.orderByTransactionId(req.params.transaction_id));
      if (order === undefined) throw new WechatPayError(404, 'ORDER_NOT_EXIST', '订单不存在');
      return transactionView(order);
    },
  );

  app.post(
    '/v3/pay/transactions/out-trade-no/:out_trade_no/close',
    { schema: { params: OutTradeNoParams, body: CloseBody }, config: { endpoint: 'close' } },
    async (req, reply) => {
      requireOwnMchid(ctx, req.authMchid, req.body.mchid);
      closeV3(ctx, directOrder(ctx, ctx.store.orders.get(req.params.out_trade_no)));
      return reply.code(204).send();
    },
  );
}

/** v3 wording of placing an order: the prepay_id, or the error WeChat answers. */
export function v3PrepayOrThrow(result: OpenResult): string {
  switch (result.kind) {
    case 'prepay':
      return result.prepayId;
    case 'conflict':
      throw new WechatPayError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
    case 'paid':
      throw new WechatPayError(400, 'ORDERPAID', '该订单已支付');
    case 'closed':
      throw new WechatPayError(400, 'ORDER_CLOSED', '订单已关闭');
    case 'pastExpire':
      throw paramError('time_expire不能早于当前时间', {
        field: '#/properties/time_expire',
        location: 'body',
      });
  }
}

/**
 * v3 close: 204 also for orders WeChat does not know (the merchant confirms by querying) and for
 * closed ones; a paid order cannot be closed.
 */
export function closeV3(ctx: SandboxContext, order: Order | undefined): void {
  if (order === undefined) return;
  if (order.state === 'SUCCESS' || order.state === 'REFUND') {
    throw new WechatPayError(400, 'ORDERPAID', '订单已支付，不能发起关单');
  }
  if (order.state !== 'CLOSED') {
    order.state = 'CLOSED';
    order.closedAt = ctx.clock.now();
  }
}
