/**
 * TypeBox schemas for every request and response. typings/api.ts is the client-facing copy;
 * ./contract.ts proves at compile time that the two are the same types.
 */
import { Type } from 'typebox';
import { LIMITS } from '../catalog';
import { ORDER_NO_PATTERN } from '../services/ids';
import { ORDER_TOKEN_PATTERN } from '../services/order-access';

export const ApiErrorSchema = Type.Object({
  code: Type.Union([
    Type.Literal('VALIDATION_ERROR'),
    Type.Literal('UNAUTHORIZED'),
    Type.Literal('FORBIDDEN'),
    Type.Literal('NOT_FOUND'),
    Type.Literal('ORDER_NOT_PAYABLE'),
    Type.Literal('IDEMPOTENCY_CONFLICT'),
    Type.Literal('REFUND_IN_PROGRESS'),
    Type.Literal('SUB_MERCHANT_UNAVAILABLE'),
    Type.Literal('CHANNEL_CONFLICT'),
    Type.Literal('CHANNEL_UNAVAILABLE'),
    Type.Literal('PAYLOAD_TOO_LARGE'),
    Type.Literal('UNSUPPORTED_MEDIA_TYPE'),
    Type.Literal('RATE_LIMITED'),
    Type.Literal('LOGIN_FAILED'),
    Type.Literal('UPSTREAM_ERROR'),
    Type.Literal('INTERNAL'),
  ]),
  message: Type.String(),
});

/** Error answers every route may give (validation, auth, limits, internal). */
export const errorResponses = {
  400: ApiErrorSchema,
  401: ApiErrorSchema,
  403: ApiErrorSchema,
  404: ApiErrorSchema,
  409: ApiErrorSchema,
  413: ApiErrorSchema,
  415: ApiErrorSchema,
  429: ApiErrorSchema,
  500: ApiErrorSchema,
  502: ApiErrorSchema,
  503: ApiErrorSchema,
};

export const FailSchema = Type.Object({ code: Type.Literal('FAIL'), message: Type.String() });

export const CatalogProductSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  spec: Type.String(),
  price: Type.Integer(),
  maxQuantity: Type.Integer(),
});

/** The order limits the server enforces below, published in `GET /api/catalog`. */
export const ORDER_LIMITS = {
  remarkMaxLength: LIMITS.maxRemark,
  maxLines: LIMITS.maxLines,
  maxQuantity: LIMITS.maxQuantity,
} as const;

export const OrderLimitsSchema = Type.Object({
  remarkMaxLength: Type.Integer(),
  maxLines: Type.Integer(),
  maxQuantity: Type.Integer(),
});

export const PaymentChannelSchema = Type.Union([
  Type.Literal('plugin'),
  Type.Literal('half-screen'),
  Type.Literal('jump-out'),
]);

export const CashierAppInfoSchema = Type.Object({
  appId: Type.String(),
  path: Type.String(),
  envVersion: Type.Union([Type.Literal('develop'), Type.Literal('trial'), Type.Literal('release')]),
});

export const CatalogResponseSchema = Type.Object({
  products: Type.Array(CatalogProductSchema),
  limits: OrderLimitsSchema,
  channels: Type.Array(PaymentChannelSchema),
  cashierApp: Type.Optional(CashierAppInfoSchema),
});

export const CreateOrderRequestSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      sku: Type.String({ minLength: 1, maxLength: 32 }),
      quantity: Type.Integer({ minimum: 1, maximum: ORDER_LIMITS.maxQuantity }),
    }),
    { minItems: 1, maxItems: ORDER_LIMITS.maxLines },
  ),
  remark: Type.Optional(
    Type.String({ maxLength: ORDER_LIMITS.remarkMaxLength, format: 'multi-line-text' }),
  ),
});

export const IdempotencyHeadersSchema = Type.Object({
  authorization: Type.Optional(Type.String({ maxLength: 256 })),
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_\\-:.]+$' }),
  ),
});

export const OrderLineSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  spec: Type.String(),
  unitPrice: Type.Integer(),
  quantity: Type.Integer(),
  subtotal: Type.Integer(),
});

export const OrderSchema = Type.Object({
  orderNo: Type.String(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('paid'),
    Type.Literal('closed'),
    Type.Literal('refunded'),
  ]),
  total: Type.Integer(),
  currency: Type.Literal('CNY'),
  items: Type.Array(OrderLineSchema),
  breakdown: Type.Object({
    goods: Type.Integer(),
    shipping: Type.Integer(),
    discount: Type.Integer(),
    total: Type.Integer(),
  }),
  remark: Type.Optional(Type.String()),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  paidAt: Type.Optional(Type.String()),
  transactionId: Type.Optional(Type.String()),
  refunded: Type.Optional(Type.Integer()),
  hostAppId: Type.Optional(Type.String()),
});

/** What `POST /api/orders` answers: the order and, for its creator alone, its capability token. */
export const CreatedOrderSchema = Type.Object({
  ...OrderSchema.properties,
  orderToken: Type.String(),
});

export const OrderParamsSchema = Type.Object({
  orderNo: Type.String({ pattern: ORDER_NO_PATTERN }),
});

export const BearerHeadersSchema = Type.Object({
  authorization: Type.Optional(Type.String({ maxLength: 256 })),
});

/** Reading or paying an order: a session, the order's token, or both. */
export const OrderAccessHeadersSchema = Type.Object({
  authorization: Type.Optional(Type.String({ maxLength: 256 })),
  'x-order-token': Type.Optional(Type.String({ pattern: ORDER_TOKEN_PATTERN })),
});

export const SessionRequestSchema = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 128 }),
  /**
   * The mini program whose wx.login made the code: the owner's (default) or the configured
   * cashier mini program's. Any other value is refused (400).
   */
  appId: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
});

export const SessionResponseSchema = Type.Object({
  token: Type.String(),
  openid: Type.String(),
  expiresIn: Type.Integer(),
});

export const PayResponseSchema = Type.Object({
  timeStamp: Type.String(),
  nonceStr: Type.String(),
  package: Type.String(),
  signType: Type.Union([Type.Literal('RSA'), Type.Literal('MD5'), Type.Literal('HMAC-SHA256')]),
  paySign: Type.String(),
  extraData: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const PayWithLoginResponseSchema = Type.Object({
  session: SessionResponseSchema,
  payment: PayResponseSchema,
});

export const JumpOutResponseSchema = Type.Object({
  appId: Type.String(),
  path: Type.String(),
  extraData: Type.Record(Type.String(), Type.String()),
  envVersion: Type.Literal('release'),
});

export const RefundRequestSchema = Type.Object({
  amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000_000 })),
  reason: Type.Optional(Type.String({ maxLength: 80, format: 'single-line-text' })),
});

export const RefundResponseSchema = Type.Object({
  orderNo: Type.String(),
  outRefundNo: Type.String(),
  amount: Type.Integer(),
  status: Type.Union([
    Type.Literal('processing'),
    Type.Literal('success'),
    Type.Literal('closed'),
    Type.Literal('abnormal'),
  ]),
});

export const HealthResponseSchema = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Literal('ok'),
});
