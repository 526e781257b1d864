/** Route-level behaviour through app.inject(): validation, limits, error shapes, idempotency. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import type { BuiltApp } from '../../server/app';
import { scopedIdempotencyKey } from '../../server/services/order-access';
import type { ApiError, CatalogResponse, Order } from '../../typings/api';
import { fixtureConfig } from './fixture-config';

let built: BuiltApp;
let app: FastifyInstance;

beforeAll(async () => {
  built = await buildApp(fixtureConfig());
  app = built.app;
});
afterAll(() => app.close());

const createOrder = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/orders', payload: payload as object, headers });

function expectError(
  res: { statusCode: number; json(): unknown },
  status: number,
  code: ApiError['code'],
): ApiError {
  expect(res.statusCode).toBe(status);
  const body = res.json() as ApiError;
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  return body;
}

describe('catalog', () => {
  it('lists products with integer fen prices', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/catalog' });
    expect(res.statusCode).toBe(200);
    const { products } = res.json() as CatalogResponse;
    expect(products.length).toBeGreaterThan(0);
    for (const p of products) {
      expect(Number.isInteger(p.price)).toBe(true);
      expect(p.maxQuantity).toBeGreaterThan(0);
    }
  });
});

describe('POST /api/orders', () => {
  it('prices from the catalogue: goods, shipping, discount, total', async () => {
    const res = await createOrder({
      items: [
        { sku: 'TEA-LJ-250', quantity: 2 },
        { sku: 'CUP-CLAY-01', quantity: 1 },
      ],
      remark: 'gift',
    });
    expect(res.statusCode).toBe(201);
    const order = res.json() as Order;
    expect(order.breakdown).toEqual({ goods: 29500, shipping: 0, discount: 1000, total: 28500 });
    expect(order.total).toBe(28500);
    expect(order.status).toBe('pending');
    expect(order.currency).toBe('CNY');
    expect(order.remark).toBe('gift');
    expect(order.orderNo).toMatch(/^[A-Za-z0-9_\-*|]{6,32}$/);
    expect(Date.parse(order.expiresAt) - Date.parse(order.createdAt)).toBe(900_000);
    expect(order.items[0]).toEqual({
      sku: 'TEA-LJ-250',
      name: expect.any(String),
      spec: '250 克罐装',
      unitPrice: 12800,
      quantity: 2,
      subtotal: 25600,
    });
  });

  it('charges shipping under the free-shipping threshold', async () => {
    const order = (
      await createOrder({ items: [{ sku: 'SAMPLE-1F', quantity: 1 }] })
    ).json() as Order;
    expect(order.breakdown).toEqual({ goods: 1, shipping: 800, discount: 0, total: 801 });
  });

  it('ignores a client-sent price', async () => {
    const order = (
      await createOrder({ items: [{ sku: 'MUG-ENAMEL', quantity: 1, price: 1 }], total: 1 })
    ).json() as Order;
    expect(order.items[0]?.unitPrice).toBe(2500);
  });

  it('same Idempotency-Key and body → the same order; different body → 409', async () => {
    const body = { items: [{ sku: 'MUG-ENAMEL', quantity: 3 }] };
    const first = await createOrder(body, { 'idempotency-key': 'idem-key-0001' });
    const again = await createOrder(body, { 'idempotency-key': 'idem-key-0001' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect((again.json() as Order).orderNo).toBe((first.json() as Order).orderNo);
    const other = await createOrder(
      { items: [{ sku: 'MUG-ENAMEL', quantity: 4 }] },
      { 'idempotency-key': 'idem-key-0001' },
    );
    expectError(other, 409, 'IDEMPOTENCY_CONFLICT');
    // Stored only as a hash of (client scope, key): the database alone cannot answer a replay.
    const count = await built.storage.db
      .selectFrom('orders')
      .select(built.storage.db.fn.countAll().as('n'))
      .where('idempotency_key', '=', scopedIdempotencyKey('anonymous', 'idem-key-0001'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const raw = await built.storage.db
      .selectFrom('orders')
      .select(built.storage.db.fn.countAll().as('n'))
      .where('idempotency_key', '=', 'idem-key-0001')
      .executeTakeFirstOrThrow();
    expect(Number(raw.n)).toBe(0);
  });

  it('concurrent identical requests with one key create one order', async () => {
    const body = { items: [{ sku: 'CUP-CLAY-01', quantity: 2 }] };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => createOrder(body, { 'idempotency-key': 'idem-key-race' })),
    );
    const numbers = new Set(results.map((r) => (r.json() as Order).orderNo));
    expect(numbers.size).toBe(1);
    expect(results.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
  });

  it.each([
    ['no body', undefined],
    ['empty items', { items: [] }],
    ['items not an array', { items: 'TEA' }],
    ['quantity as a string', { items: [{ sku: 'TEA-LJ-250', quantity: '2' }] }],
    ['fractional quantity', { items: [{ sku: 'TEA-LJ-250', quantity: 1.5 }] }],
    ['zero quantity', { items: [{ sku: 'TEA-LJ-250', quantity: 0 }] }],
    ['negative quantity', { items: [{ sku: 'TEA-LJ-250', quantity: -3 }] }],
    ['huge quantity', { items: [{ sku: 'TEA-LJ-250', quantity: 1e12 }] }],
    ['quantity over the product maximum', { items: [{ sku: 'TEA-LJ-250', quantity: 11 }] }],
    ['unknown sku', { items: [{ sku: 'NOPE', quantity: 1 }] }],
    [
      'duplicate sku',
      {
        items: [
          { sku: 'MUG-ENAMEL', quantity: 1 },
          { sku: 'MUG-ENAMEL', quantity: 1 },
        ],
      },
    ],
    [
      'too many lines',
      { items: Array.from({ length: 11 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) },
    ],
    ['remark too long', { items: [{ sku: 'MUG-ENAMEL', quantity: 1 }], remark: 'x'.repeat(201) }],
    ['remark a number', { items: [{ sku: 'MUG-ENAMEL', quantity: 1 }], remark: 5 }],
  ])('400 VALIDATION_ERROR for %s, and nothing stored', async (_name, payload) => {
    const before = await built.storage.db
      .selectFrom('orders')
      .select(built.storage.db.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expectError(await createOrder(payload), 400, 'VALIDATION_ERROR');
    const after = await built.storage.db
      .selectFrom('orders')
      .select(built.storage.db.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('400 for a malformed Idempotency-Key', async () => {
    expectError(
      await createOrder(
        { items: [{ sku: 'MUG-ENAMEL', quantity: 1 }] },
        { 'idempotency-key': 'short' },
      ),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('400 for malformed JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: '{"items":',
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 400, 'VALIDATION_ERROR');
  });

  it('413 for an oversized body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: JSON.stringify({
        items: [{ sku: 'MUG-ENAMEL', quantity: 1 }],
        remark: 'x'.repeat(20_000),
      }),
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('415 for a non-JSON content type', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/orders',
      payload: 'items=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('limits from config', () => {
  it('refuses totals above MAX_ORDER_TOTAL', async () => {
    const small = await buildApp(fixtureConfig({ maxOrderTotal: 10_000 }));
    try {
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/orders',
        payload: { items: [{ sku: 'TEA-LJ-250', quantity: 1 }] },
      });
      const body = expectError(res, 400, 'VALIDATION_ERROR');
      expect(body.message).toContain('10000');
    } finally {
      await small.app.close();
    }
  });
});

describe('auth and routing errors', () => {
  let orderNo: string;
  beforeAll(async () => {
    orderNo = ((await createOrder({ items: [{ sku: 'MUG-ENAMEL', quantity: 1 }] })).json() as Order)
      .orderNo;
  });

  it('404 NOT_FOUND for unknown routes', async () => {
    expectError(await app.inject({ method: 'GET', url: '/api/nothing' }), 404, 'NOT_FOUND');
  });

  it.each([
    ['GET', () => `/api/orders/${orderNo}`],
    ['POST', () => `/api/orders/${orderNo}/pay`],
  ] as const)('401 UNAUTHORIZED on %s without or with a bad token', async (method, url) => {
    expectError(await app.inject({ method, url: url() }), 401, 'UNAUTHORIZED');
    expectError(
      await app.inject({
        method,
        url: url(),
        headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      }),
      401,
      'UNAUTHORIZED',
    );
    expectError(
      await app.inject({ method, url: url(), headers: { authorization: 'Basic abc' } }),
      401,
      'UNAUTHORIZED',
    );
  });

  it('400 for an order number outside the out_trade_no alphabet', async () => {
    expectError(
      await app.inject({ method: 'GET', url: '/api/orders/bad%20no!' }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await app.inject({ method: 'GET', url: `/api/orders/${'A'.repeat(33)}` }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('refund: 401 without the admin token, 404 for an unknown order, 400 for unpaid', async () => {
    const url = `/api/orders/${orderNo}/refund`;
    expectError(await app.inject({ method: 'POST', url, payload: {} }), 401, 'UNAUTHORIZED');
    expectError(
      await app.inject({
        method: 'POST',
        url,
        payload: {},
        headers: { authorization: 'Bearer wrong' },
      }),
      401,
      'UNAUTHORIZED',
    );
    const admin = { authorization: 'Bearer fixture-admin-token' };
    expectError(
      await app.inject({
        method: 'POST',
        url: '/api/orders/WP00000000UNKNOWN/refund',
        payload: {},
        headers: admin,
      }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await app.inject({ method: 'POST', url, payload: {}, headers: admin }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await app.inject({ method: 'POST', url, payload: { amount: -1 }, headers: admin }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('refund is disabled without ADMIN_TOKEN', async () => {
    const noAdmin = await buildApp(fixtureConfig({ adminToken: undefined }));
    try {
      const res = await noAdmin.app.inject({
        method: 'POST',
        url: `/api/orders/${orderNo}/refund`,
        payload: {},
        headers: { authorization: 'Bearer anything' },
      });
      expectError(res, 403, 'FORBIDDEN');
    } finally {
      await noAdmin.app.close();
    }
  });
});

describe('session', () => {
  it('400 for a missing or wrongly typed code', async () => {
    expectError(
      await app.inject({ method: 'POST', url: '/api/session', payload: {} }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await app.inject({ method: 'POST', url: '/api/session', payload: { code: 123 } }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('502 LOGIN_FAILED when WeChat is unreachable, then 429 past the per-IP limit', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { code: 'abc' },
      remoteAddress: '10.0.0.7',
    });
    expectError(res, 502, 'LOGIN_FAILED');
    let last = res;
    for (let i = 0; i < 6; i++) {
      last = await app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { code: 'abc' },
        remoteAddress: '10.0.0.7',
      });
    }
    expectError(last, 429, 'RATE_LIMITED');
  });
});

describe('notify endpoint shape', () => {
  it('answers FAIL for an unsigned notification', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/pay/notify', payload: { id: 'x' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      code: 'FAIL',
      message: expect.stringContaining('missing_headers'),
    });
  });

  it('answers FAIL 413 for an oversized notification', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/pay/notify',
      payload: JSON.stringify({ pad: 'x'.repeat(70_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect((res.json() as { code: string }).code).toBe('FAIL');
  });
});

describe('healthz', () => {
  it('reports the database', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok' });
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });
});
