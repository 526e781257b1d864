/**
 * Reliability, bad input: every HTTP endpoint fuzzed with fast-check. Each generated request is
 * definitely invalid (one thing broken in an otherwise valid request, or junk throughout), and
 * each must be refused in the contract, a 4xx `{ code, message }` (notifications: WeChat's
 * `{ code: 'FAIL', message }`), leaving every table's row count and the fixture orders' rows as
 * they were. The public GETs (catalog, health) must keep answering 200 whatever junk rides along.
 * On SQLite and PostgreSQL.
 *
 * Requests go over keep-alive `node:http`; what `node:http` refuses to send (control characters
 * in a header, non-Latin-1 in a path or header) goes as raw bytes on a socket of its own.
 */
import { isUtf8 } from 'node:buffer';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { startStack } from '../../dev/stack';
import type { Stack } from '../../dev/stack';
import { postgresUnavailable, startPostgres } from '../../dev/postgres';
import type { TestPostgres } from '../../dev/postgres';
import { PRODUCTS } from '../../server/catalog';
import type { ApiErrorCode, CatalogResponse, CreatedOrder } from '../../typings/api';
import { call, createOrder, forgeNotification, paidOrder, session } from '../server/http';
import { useTally } from './tally';

const pgProblem = postgresUnavailable();
if (pgProblem) console.warn(`\n!!! PostgreSQL endpoint fuzzing SKIPPED: ${pgProblem} !!!\n`);
const kinds = pgProblem ? ['sqlite'] : ['sqlite', 'postgres'];

/** Every `ApiErrorCode`, checked both ways at compile time by the Record type. */
const API_ERROR_CODES: Record<ApiErrorCode, true> = {
  VALIDATION_ERROR: true,
  UNAUTHORIZED: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  ORDER_NOT_PAYABLE: true,
  IDEMPOTENCY_CONFLICT: true,
  REFUND_IN_PROGRESS: true,
  SUB_MERCHANT_UNAVAILABLE: true,
  CHANNEL_CONFLICT: true,
  CHANNEL_UNAVAILABLE: true,
  PAYLOAD_TOO_LARGE: true,
  UNSUPPORTED_MEDIA_TYPE: true,
  RATE_LIMITED: true,
  LOGIN_FAILED: true,
  UPSTREAM_ERROR: true,
  INTERNAL: true,
};

const RUNS = 250;
const BODY_LIMIT = 16 * 1024;
const NOTIFY_BODY_LIMIT = 64 * 1024;
const SKUS = new Set(PRODUCTS.map((p) => p.sku));
const VALID_ITEM = { sku: 'MUG-ENAMEL', quantity: 1 };

// ---------------------------------------------------------------------------------------------
// HTTP: keep-alive node:http, raw socket for what node:http will not send.

interface Case {
  /** What is broken, for the tally and the counterexample. */
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The statuses the contract names for this case; any 4xx when absent. */
  status?: readonly number[];
  /** The ApiError code the contract names for this case, when it names one. */
  code?: ApiErrorCode;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  via: 'http' | 'socket';
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
afterAll(() => agent.destroy());

const JSON_CT = { 'content-type': 'application/json' };

function framing(c: Case): { headers: Record<string, string>; body: Buffer | undefined } {
  const body = c.body === undefined ? undefined : Buffer.from(c.body);
  const headers = { ...c.headers };
  if (body !== undefined || c.method === 'POST')
    headers['content-length'] = String(body?.length ?? 0);
  return { headers, body };
}

function send(base: URL, c: Case): Promise<Answer> {
  const { headers, body } = framing(c);
  return new Promise<Answer>((resolve, reject) => {
    let req;
    try {
      req = request(
        { host: base.hostname, port: base.port, method: c.method, path: c.path, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: res.headers['content-type'] ?? '',
              text: Buffer.concat(chunks).toString('utf8'),
              via: 'http',
            }),
          );
        },
      );
    } catch {
      // node:http validates the path and header values before sending: send the bytes anyway.
      sendRaw(base, c.method, c.path, headers, body).then(resolve, reject);
      return;
    }
    req.on('error', reject);
    req.end(body);
  });
}

function sendRaw(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<Answer> {
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: ${base.host}\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    'Connection: close\r\n\r\n';
  return new Promise<Answer>((resolve, reject) => {
    const socket = connect(Number(base.port), base.hostname, () => {
      socket.end(body ? Buffer.concat([Buffer.from(head, 'utf8'), body]) : Buffer.from(head));
    });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const lines = all.subarray(0, end < 0 ? all.length : end).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines)?.[1] ?? 0);
      const contentType = /^content-type: *(.*)$/im.exec(lines)?.[1]?.trim() ?? '';
      const text = end < 0 ? '' : all.subarray(end + 4).toString('utf8');
      resolve({ status, contentType, text, via: 'socket' });
    });
  });
}

const describeAnswer = (c: Case, a: Answer): string =>
  `${c.name}: ${c.method} ${c.path.slice(0, 120)} answered ${a.status} (${a.via}) ${a.text.slice(0, 300)}`;

/** A 4xx in the ApiError contract: exactly `{ code, message }`, a known code, a message. */
function expectApiError(c: Case, a: Answer): void {
  const what = describeAnswer(c, a);
  if (a.status < 400 || a.status > 499) throw new Error(`not a 4xx: ${what}`);
  if (c.status && !c.status.includes(a.status))
    throw new Error(`expected ${c.status.join(' or ')}: ${what}`);
  if (!a.contentType.startsWith('application/json')) throw new Error(`not JSON: ${what}`);
  const body = JSON.parse(a.text) as Record<string, unknown>;
  if (Object.keys(body).sort().join() !== 'code,message')
    throw new Error(`not exactly { code, message }: ${what}`);
  if (typeof body.code !== 'string' || !Object.hasOwn(API_ERROR_CODES, body.code))
    throw new Error(`not an ApiErrorCode: ${what}`);
  if (c.code && body.code !== c.code) throw new Error(`expected ${c.code}: ${what}`);
  if (typeof body.message !== 'string' || body.message === '')
    throw new Error(`no message: ${what}`);
}

/** WeChat's refusal: a 4xx `{ code: 'FAIL', message }`, so WeChat retries. */
function expectFail(c: Case, a: Answer): void {
  const what = describeAnswer(c, a);
  if (a.status < 400 || a.status > 499) throw new Error(`not a 4xx: ${what}`);
  if (c.status && !c.status.includes(a.status))
    throw new Error(`expected ${c.status.join(' or ')}: ${what}`);
  if (!a.contentType.startsWith('application/json')) throw new Error(`not JSON: ${what}`);
  const body = JSON.parse(a.text) as Record<string, unknown>;
  if (Object.keys(body).sort().join() !== 'code,message' || body.code !== 'FAIL')
    throw new Error(`not exactly { code: 'FAIL', message }: ${what}`);
  if (typeof body.message !== 'string' || body.message === '')
    throw new Error(`no message: ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Generators shared by the endpoints.

const label = <T>(name: string, arb: fc.Arbitrary<T>): fc.Arbitrary<{ name: string; value: T }> =>
  arb.map((value) => ({ name, value }));

/** `s` with `insert` put at a generated position. */
const inserted = (base: fc.Arbitrary<string>, insert: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(base, insert, fc.nat()).map(([s, ins, at]) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + ins + s.slice(i);
  });

const C0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i));
/** What a multi-line text refuses: C0 controls but tab, LF, CR; and DEL. */
const TEXT_CONTROLS = [...C0.filter((ch) => !'\t\n\r'.includes(ch)), '\u007f'];
/** What a single line refuses: every C0 control and DEL. */
const LINE_CONTROLS = [...C0, '\u007f'];
const loneSurrogate = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdbff }).map((n) => String.fromCharCode(n)),
  fc.integer({ min: 0xdc00, max: 0xdfff }).map((n) => String.fromCharCode(n)),
);
/** Text a person types: ASCII, CJK, emoji, line breaks. */
const typedText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.constantFrom('中', '文', '😀', '\n', '\t'),
    ),
    maxLength,
  });
const asciiLine = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const notAnInteger = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.constantFrom('1', '0', 'NaN', 'Infinity', '-1', '1e3', '0x10', '', ' 1', 'one'),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
  fc.constant({ value: 1 }),
);
const SQL_LOOKING = [
  "' OR 1=1 --",
  '"; DROP TABLE orders;',
  "'; DELETE FROM sessions; --",
  "MUG-ENAMEL' OR '1'='1",
  '1 UNION SELECT token_hash FROM sessions',
  "') ON CONFLICT DO NOTHING; --",
  '%27%20OR%201%3D1',
  '$1',
  '?',
  '\\x00',
];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64url = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...BASE64URL), minLength, maxLength });
const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:.';
const keyText = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength, maxLength });
/** Bytes that are never valid UTF-8 where they stand. */
const INVALID_UTF8: number[][] = [
  [0xff],
  [0xfe],
  [0xff, 0xfe],
  [0x80],
  [0xbf, 0x80],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];
const invalidUtf8 = fc
  .array(fc.constantFrom(...INVALID_UTF8), { minLength: 1, maxLength: 3 })
  .map((parts) => Buffer.from(parts.flat()))
  // Two fragments can join into a valid sequence (e2 82 + 80 is U+2080): those are not invalid.
  .filter((bytes) => !isUtf8(bytes));
/** A JSON body with invalid UTF-8 bytes spliced inside one of its strings. */
const spliced = (before: string, after: string) =>
  fc
    .tuple(asciiLine(10), invalidUtf8, asciiLine(10))
    .map(([a, bad, b]) =>
      Buffer.concat([
        Buffer.from(before + a.replace(/["\\]/g, '')),
        bad,
        Buffer.from(b.replace(/["\\]/g, '') + after),
      ]),
    );
/** `text` cut short or with one character that JSON cannot take appended: never valid JSON. */
const malformed = (text: string) =>
  fc.oneof(
    fc.integer({ min: 1, max: text.length - 1 }).map((n) => text.slice(0, n)),
    fc.constantFrom('}', ']', ',', 'x', '"', ':', '\u0000', '{').map((ch) => text + ch),
    fc.constantFrom(
      text.replace(/"/g, "'"),
      text.replace(/:/g, '='),
      `${text.slice(0, -1)},}`,
      `{${text}}`,
      `//\n${text}`,
    ),
  );
/** A top-level JSON value that is not an object. */
const notAnObjectJson = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }).map((v) => JSON.stringify(v)),
  fc.integer().map(String),
  fc.string().map((s) => JSON.stringify(s)),
  fc.constantFrom('null', 'true', 'false', '0', '""', '[]', '-1.5e3'),
);
/** Nested JSON thousands of levels deep, still under the body limit. */
const deepJson = (limit: number) =>
  fc.oneof(
    fc
      .integer({ min: 500, max: Math.floor(limit / 2) - 50 })
      .map((d) => '['.repeat(d) + ']'.repeat(d)),
    fc
      .integer({ min: 200, max: Math.floor(limit / 6) - 50 })
      .map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  );
const NOT_JSON_TYPES = [
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonx',
  'text/json',
  'application/vnd.api+json',
  'image/png',
];
/** Header values no valid request carries as its bearer. */
const badAuthorization = (extra: string[] = []) =>
  fc.oneof(
    label(
      'Authorization: malformed',
      fc.oneof(
        fc.constantFrom(
          '',
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNzd29yZA==',
          'Token abcdefghijklmnopqrstuvwxyz',
          'Bearer short',
          'Bearer ${token}',
          'null',
          'undefined',
          ...extra,
        ),
        base64url(16, 128).map((t) => `bearer ${t}`),
        base64url(16, 128).map((t) => `Bearer  ${t}`),
        base64url(16, 128).map((t) => `Bearer ${t} ${t}`),
        base64url(16, 128),
        base64url(1, 15).map((t) => `Bearer ${t}`),
        fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}!`),
        fc.string({ maxLength: 60 }),
      ),
    ),
    label(
      'Authorization: unknown or expired-looking bearer',
      base64url(16, 128).map((t) => `Bearer ${t}`),
    ),
    label(
      'Authorization: over-long',
      base64url(250, 2000).map((t) => `Bearer ${t}`),
    ),
    label(
      'Authorization: non-ASCII',
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => `Bearer é${s}`),
    ),
    label(
      'Authorization: control characters',
      inserted(
        base64url(16, 43),
        fc.constantFrom(...LINE_CONTROLS.filter((ch) => ch !== '\t')),
      ).map((t) => `Bearer ${t}`),
    ),
  );

/** Path segment bytes as percent-escapes, except unreserved ASCII. */
function encodeSegment(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9._~-]/.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Order numbers as they arrive in a path: nothing here names an order that exists. */
const badOrderParam = (real: string) =>
  fc.oneof(
    label('param: random text', fc.string({ unit: 'binary', maxLength: 40 }).map(encodeSegment)),
    label(
      'param: percent-encoded junk',
      fc
        .array(
          fc.oneof(
            fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
            fc.constantFrom('%', '%z', '%zz', '%G0', '%%', '%2', 'WP'),
          ),
          { minLength: 1, maxLength: 12 },
        )
        .map((parts) => parts.join('')),
    ),
    label('param: %00', inserted(fc.constant(real), fc.constantFrom('%00', '%00%00', '\u0000'))),
    label(
      'param: dot segments',
      fc.constantFrom(
        '..',
        '.',
        '..%2f',
        '..%2F..%2Fhealthz',
        '%2e%2e%2f',
        '%2E%2E',
        '..%5c..%5c',
        `..%2f${real}`,
        `${real}%2f..`,
        '....%2f%2f',
      ),
    ),
    label('param: SQL-looking', fc.constantFrom(...SQL_LOOKING).map(encodeSegment)),
    label(
      'param: 33 to 100 characters',
      keyText(33, 100).map((s) => s.replace(/[:.]/g, 'x')),
    ),
    label(
      'param: over 100 characters',
      fc.integer({ min: 101, max: 12_000 }).map((n) => 'A'.repeat(n)),
    ),
    label(
      'param: unicode',
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeSegment),
    ),
    label(
      'param: raw non-ASCII bytes',
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map((s) => `WP${s}`),
    ),
    label(
      'param: near miss of a real order',
      fc.constantFrom(
        `${real}0`,
        real.slice(0, -1),
        real.toLowerCase(),
        `${real}%20`,
        `%20${real}`,
        `${real};`,
        `${real}%00`,
        encodeSegment(`${real}'`),
      ),
    ),
    label('param: empty', fc.constant('')),
  );

// ---------------------------------------------------------------------------------------------

describe.each(kinds)('every endpoint fuzzed with invalid input on %s', (kind) => {
  let pg: TestPostgres | undefined;
  let stack: Stack;
  let base: URL;
  const tally = useTally('bad input', kind);

  /** The fixtures: a payer's session, an order nobody paid yet, an order paid. */
  let user: { token: string; openid: string };
  let pending: CreatedOrder;
  let paid: CreatedOrder;
  let platformKey: KeyObject;
  let otherKey: KeyObject;
  let catalog: CatalogResponse;

  beforeAll(async () => {
    if (kind === 'postgres') pg = await startPostgres();
    stack = await startStack({
      serverConfig: {
        jobsEnabled: false,
        sessionRateLimit: 1_000_000,
        orderRateLimit: 1_000_000,
        ...(pg ? { databaseUrl: pg.url } : {}),
      },
    });
    base = new URL(stack.serverUrl);
    user = await session(stack, `fuzz-payer-${kind}`);
    pending = await createOrder(stack);
    paid = (await paidOrder(stack, `fuzz-refunds-${kind}`)).o;
    platformKey = createPrivateKey(
      readFileSync(join(stack.credentialsDir, 'sandbox', 'pub_key_private.pem')),
    );
    otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    catalog = (await call<CatalogResponse>(`${stack.serverUrl}/api/catalog`)).body;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await pg?.stop();
  });

  /** Every table's row count and the fixture orders' rows, as plain JSON. */
  async function snapshot(): Promise<unknown> {
    const db = stack.server.storage.db;
    const counts = await Promise.all(
      (['orders', 'refunds', 'sessions', 'notifications'] as const).map(async (table) => {
        const r = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return [table, Number(r.n)] as const;
      }),
    );
    const rows = await db
      .selectFrom('orders')
      .selectAll()
      .where('order_no', 'in', [pending.orderNo, paid.orderNo])
      .orderBy('order_no')
      .execute();
    return JSON.parse(
      JSON.stringify({ counts: Object.fromEntries(counts), rows }, (_, v: unknown) =>
        typeof v === 'bigint' ? Number(v) : v,
      ),
    ) as unknown;
  }

  /**
   * Runs `numRuns` generated cases: each sent, its answer checked, the state compared with the
   * state before it. Each generated case is counted in the tally (shrinking runs are not).
   */
  async function fuzz(
    endpoint: string,
    cases: fc.Arbitrary<Case>,
    expectRefusal: (c: Case, a: Answer) => void,
    numRuns = RUNS,
  ): Promise<void> {
    const details = await fc.check(
      fc.asyncProperty(cases, async (c) => {
        const before = await snapshot();
        const answer = await send(base, c);
        expectRefusal(c, answer);
        const after = await snapshot();
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          expect({ case: c.name, state: after }).toEqual({ case: c.name, state: before });
        }
      }),
      { numRuns },
    );
    const counterexample = details.counterexample?.[0];
    tally.add(
      details.numRuns,
      details.failed ? details.numRuns - 1 : details.numRuns,
      `${endpoint}: ${counterexample?.name ?? 'interrupted'}`,
    );
    if (details.failed) throw new Error(fc.defaultReportMessage(details));
  }

  // -------------------------------------------------------------------------------------------

  it('POST /api/orders: every broken body is refused, no order is written', async () => {
    const post = (
      name: string,
      body: string | Buffer,
      headers: Record<string, string> = JSON_CT,
      status?: number[],
    ): Case => ({
      name,
      method: 'POST',
      path: '/api/orders',
      headers,
      body,
      ...(status ? { status } : {}),
    });
    const withBody = (name: string, arb: fc.Arbitrary<unknown>) =>
      arb.map((v) => post(name, JSON.stringify(v)));
    const withItem = (name: string, arb: fc.Arbitrary<unknown>) =>
      arb.map((item) => post(name, JSON.stringify({ items: [item] })));
    const withRemark = (name: string, arb: fc.Arbitrary<unknown>) =>
      arb.map((remark) => post(name, JSON.stringify({ items: [VALID_ITEM], remark })));
    const validJson = JSON.stringify({ items: [VALID_ITEM] });
    const cases: fc.Arbitrary<Case> = fc.oneof(
      withBody(
        'items: not an array',
        fc.oneof(notAString, fc.constant(VALID_ITEM)).map((items) => ({ items })),
      ),
      withBody('items: missing', fc.constantFrom({}, { remark: 'x' }, { item: [VALID_ITEM] })),
      withBody('items: empty', fc.constant({ items: [] })),
      withBody(
        'items: more than 10 lines',
        fc
          .array(fc.constantFrom(...PRODUCTS.map((p) => ({ sku: p.sku, quantity: 1 }))), {
            minLength: 11,
            maxLength: 60,
          })
          .map((items) => ({ items })),
      ),
      withBody(
        'items: a sku twice',
        fc
          .tuple(fc.constantFrom(...SKUS), fc.integer({ min: 2, max: 4 }))
          .map(([sku, n]) => ({ items: Array.from({ length: n }, () => ({ sku, quantity: 1 })) })),
      ),
      withBody(
        'items: a line not an object',
        notAString.map((line) => ({ items: [VALID_ITEM, line] })),
      ),
      withItem(
        'sku: unknown',
        fc
          .oneof(
            fc.string({ unit: 'grapheme', minLength: 1, maxLength: 32 }),
            fc.constantFrom(
              'mug-enamel',
              ' MUG-ENAMEL',
              'MUG-ENAMEL ',
              'MUG_ENAMEL',
              'MUG-ENAMEL\n',
            ),
          )
          .filter((sku) => !SKUS.has(sku))
          .map((sku) => ({ sku, quantity: 1 })),
      ),
      withItem(
        'sku: not a string',
        notAString.map((sku) => ({ sku, quantity: 1 })),
      ),
      withItem('sku: empty', fc.constant({ sku: '', quantity: 1 })),
      withItem('sku: missing', fc.constant({ quantity: 1 })),
      withItem(
        'sku: over 32 characters',
        fc.string({ minLength: 33, maxLength: 400 }).map((sku) => ({ sku, quantity: 1 })),
      ),
      withItem(
        'sku: SQL-looking',
        fc.constantFrom(...SQL_LOOKING).map((sku) => ({ sku, quantity: 1 })),
      ),
      withItem(
        'sku: NUL or control characters',
        inserted(fc.constantFrom(...SKUS), fc.constantFrom(...LINE_CONTROLS)).map((sku) => ({
          sku,
          quantity: 1,
        })),
      ),
      withItem(
        'sku: lone surrogate',
        inserted(fc.constantFrom(...SKUS), loneSurrogate).map((sku) => ({ sku, quantity: 1 })),
      ),
      withItem(
        'quantity: zero or negative',
        fc
          .oneof(fc.constant(0), fc.integer({ max: -1 }), fc.constant(-Number.MAX_SAFE_INTEGER))
          .map((quantity) => ({ sku: 'MUG-ENAMEL', quantity })),
      ),
      withItem(
        'quantity: fractional',
        fc
          .oneof(
            fc.constantFrom(1.5, 0.5, 1.0000001, 19.99),
            fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)),
          )
          .map((quantity) => ({ sku: 'MUG-ENAMEL', quantity })),
      ),
      withItem(
        "quantity: over the product's maximum",
        fc.integer({ min: 21, max: 99 }).map((quantity) => ({ sku: 'MUG-ENAMEL', quantity })),
      ),
      withItem(
        'quantity: huge',
        fc
          .oneof(
            fc.integer({ min: 100 }),
            fc.constantFrom(1e20, Number.MAX_SAFE_INTEGER + 2, 1e308, 2 ** 53, 2 ** 31),
          )
          .map((quantity) => ({ sku: 'MUG-ENAMEL', quantity })),
      ),
      withItem(
        'quantity: not an integer',
        notAnInteger.map((quantity) => ({ sku: 'MUG-ENAMEL', quantity })),
      ),
      withItem('quantity: missing', fc.constant({ sku: 'MUG-ENAMEL' })),
      fc
        .constantFrom(
          'NaN',
          'Infinity',
          '-Infinity',
          'undefined',
          '+1',
          '01',
          '.5',
          '1.',
          '0x1',
          "'1'",
        )
        .map((q) =>
          post('quantity: not a JSON number', `{"items":[{"sku":"MUG-ENAMEL","quantity":${q}}]}`),
        ),
      withRemark(
        'remark: over 200 characters',
        fc.string({
          unit: fc.constantFrom('a', '中', '😀', ' ', '\n'),
          minLength: 201,
          maxLength: 600,
        }),
      ),
      withRemark(
        'remark: control characters',
        inserted(typedText(50), fc.constantFrom(...TEXT_CONTROLS)),
      ),
      withRemark('remark: lone surrogate', inserted(asciiLine(50), loneSurrogate)),
      withRemark('remark: not a string', notAString),
      deepJson(BODY_LIMIT).map((deep) => post('body: nested thousands deep', `{"items":${deep}}`)),
      deepJson(BODY_LIMIT).map((deep) => post('body: nested thousands deep', deep)),
      deepJson(BODY_LIMIT - 100).map((deep) =>
        post(
          'body: nested thousands deep',
          `{"items":[{"sku":"MUG-ENAMEL","quantity":1}],"remark":${deep}}`,
        ),
      ),
      notAnObjectJson.map((body) => post('body: not a JSON object', body)),
      fc.constant(post('body: JSON array of a valid order', `[${validJson}]`)),
      malformed(validJson).map((body) => post('body: malformed JSON', body)),
      fc.constant(post('body: empty', '')),
      fc
        .integer({ min: BODY_LIMIT + 1, max: 2 * BODY_LIMIT })
        .map((n) =>
          post(
            'body: over the body limit',
            JSON.stringify({ items: [VALID_ITEM], remark: 'x'.repeat(n) }),
            JSON_CT,
            [413],
          ),
        ),
      spliced('{"items":[{"sku":"MUG-ENAMEL","quantity":1}],"remark":"', '"}').map((b) =>
        post('body: invalid UTF-8 in the remark', b, JSON_CT, [400]),
      ),
      spliced('{"items":[{"sku":"MUG-', '","quantity":1}]}').map((b) =>
        post('body: invalid UTF-8 in a sku', b),
      ),
      fc
        .constantFrom(...NOT_JSON_TYPES)
        .map((ct) => post('content-type: not JSON', validJson, { 'content-type': ct }, [415])),
      fc.constant(post('content-type: none', validJson, {}, [415])),
      fc.constant(post('content-type: text/plain', validJson, { 'content-type': 'text/plain' })),
    );
    await fuzz('POST /api/orders', cases, expectApiError, 400);
  }, 60_000);

  it('POST /api/orders: bad Idempotency-Key or Authorization headers refuse a valid body', async () => {
    const validJson = JSON.stringify({ items: [VALID_ITEM] });
    const post = (name: string, headers: Record<string, string>, status?: number[]): Case => ({
      name,
      method: 'POST',
      path: '/api/orders',
      headers: { ...JSON_CT, ...headers },
      body: validJson,
      ...(status ? { status } : {}),
    });
    const key = (name: string, arb: fc.Arbitrary<string>) =>
      arb.map((k) => post(name, { 'idempotency-key': k }, [400]));
    // Bad characters inside the key (the HTTP parser trims leading and trailing whitespace).
    const BAD_KEY_CHARS = [...' /+=@#,;"\'\\!?%~*()[]{}<>\t', 'é', 'ÿ', '\u0080', '中', '😀'];
    const cases = fc.oneof(
      key('Idempotency-Key: too short', keyText(0, 7)),
      key('Idempotency-Key: too long', keyText(65, 400)),
      key(
        'Idempotency-Key: bad characters',
        fc
          .tuple(keyText(1, 30), fc.constantFrom(...BAD_KEY_CHARS), keyText(1, 30))
          .map(([a, bad, b]) => a + bad + b),
      ),
      key(
        'Idempotency-Key: control characters',
        fc
          .tuple(
            keyText(4, 30),
            fc.constantFrom(...LINE_CONTROLS.filter((ch) => ch !== '\t')),
            keyText(4, 30),
          )
          .map(([a, bad, b]) => a + bad + b),
      ),
      badAuthorization().map(({ name, value }) => post(name, { authorization: value })),
      fc.tuple(base64url(16, 128), keyText(8, 64)).map(([t, k]) =>
        post(
          'Authorization: unknown bearer with a valid Idempotency-Key',
          {
            authorization: `Bearer ${t}`,
            'idempotency-key': k,
          },
          [401],
        ),
      ),
    );
    await fuzz('POST /api/orders headers', cases, expectApiError, RUNS);
  }, 60_000);

  it('POST /api/session: every bad code is refused, no session is created', async () => {
    const post = (
      name: string,
      body: string | Buffer,
      headers: Record<string, string> = JSON_CT,
    ): Case => ({
      name,
      method: 'POST',
      path: '/api/session',
      headers,
      body,
    });
    const withBody = (name: string, arb: fc.Arbitrary<unknown>) =>
      arb.map((v) => post(name, JSON.stringify(v)));
    /** Well-formed codes WeChat does not know: README, 400 LOGIN_FAILED (WeChat refused it). */
    const refusedByWechat = (name: string, arb: fc.Arbitrary<unknown>) =>
      arb.map((v): Case => ({
        ...post(name, JSON.stringify(v)),
        status: [400],
        code: 'LOGIN_FAILED',
      }));
    const cases = fc.oneof(
      withBody(
        'code: missing',
        fc.constantFrom({}, { Code: 'abc' }, { codes: ['abc'] }, { token: 'x' }),
      ),
      withBody(
        'code: not a string',
        notAString.map((code) => ({ code })),
      ),
      withBody('code: empty', fc.constant({ code: '' })),
      withBody(
        'code: over 128 characters',
        fc.string({ minLength: 129, maxLength: 3000 }).map((code) => ({ code })),
      ),
      refusedByWechat(
        'code: control characters',
        inserted(fc.string({ maxLength: 60 }), fc.constantFrom(...LINE_CONTROLS)).map((code) => ({
          code,
        })),
      ),
      refusedByWechat(
        'code: unknown',
        fc
          .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 128 }), base64url(16, 64))
          .map((code) => ({ code })),
      ),
      refusedByWechat(
        'code: unknown, with extra junk',
        fc
          .tuple(
            base64url(1, 64),
            fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
              minKeys: 1,
              maxKeys: 4,
            }),
          )
          .map(([code, junk]) => ({ ...junk, code })),
      ),
      refusedByWechat(
        'code: SQL-looking',
        fc.constantFrom(...SQL_LOOKING).map((code) => ({ code })),
      ),
      notAnObjectJson.map((b) => post('body: not a JSON object', b)),
      malformed('{"code":"0a1b2c3d4e5f"}').map((b) => post('body: malformed JSON', b)),
      deepJson(BODY_LIMIT - 20).map((deep) =>
        post('body: nested thousands deep', `{"code":${deep}}`),
      ),
      fc.constant(post('body: empty', '')),
      fc.integer({ min: BODY_LIMIT + 1, max: 2 * BODY_LIMIT }).map((n) => ({
        ...post('body: over the body limit', JSON.stringify({ code: 'x'.repeat(n) })),
        status: [413],
      })),
      spliced('{"code":"', '"}').map((b) => post('body: invalid UTF-8', b)),
      fc.constantFrom(...NOT_JSON_TYPES).map((ct) => ({
        ...post('content-type: not JSON', '{"code":"abc"}', { 'content-type': ct }),
        status: [415],
      })),
    );
    await fuzz('POST /api/session', cases, expectApiError, RUNS);
  }, 60_000);

  it('GET /api/orders/:orderNo: bad numbers and bad credentials are refused', async () => {
    const get = (
      name: string,
      param: string,
      headers: Record<string, string> = {},
      status?: number[],
    ): Case => ({
      name,
      method: 'GET',
      path: `/api/orders/${param}`,
      headers,
      ...(status ? { status } : {}),
    });
    const cases = fc.oneof(
      badOrderParam(pending.orderNo).map(({ name, value }) =>
        get(name, value, {}, name === 'param: over 100 characters' ? [414, 431] : undefined),
      ),
      badOrderParam(pending.orderNo).map(({ name, value }) =>
        get(`${name}, with a real order token`, value, { 'x-order-token': pending.orderToken }),
      ),
      fc
        .oneof(
          base64url(0, 42),
          base64url(44, 200),
          inserted(base64url(42, 42), fc.constantFrom('+', '/', '=', '.', '~', ' ', 'é')),
        )
        .map((t) =>
          get('X-Order-Token: malformed', pending.orderNo, { 'x-order-token': t }, [400]),
        ),
      fc
        .oneof(
          base64url(43, 43).filter((t) => t !== pending.orderToken),
          fc.constant(paid.orderToken),
        )
        .map((t) =>
          get(
            "X-Order-Token: another order's or random",
            pending.orderNo,
            { 'x-order-token': t },
            [403],
          ),
        ),
      badAuthorization().map(({ name, value }) =>
        get(name, pending.orderNo, { authorization: value }),
      ),
      badAuthorization().map(({ name, value }) =>
        get(`${name}, with the right order token`, pending.orderNo, {
          authorization: value,
          'x-order-token': pending.orderToken,
        }),
      ),
      fc.constant(
        get(
          "a payer who is not the order's, no order token",
          pending.orderNo,
          { authorization: `Bearer ${user.token}` },
          [403],
        ),
      ),
      fc.constant(get('no credentials at all', pending.orderNo, {}, [401])),
    );
    await fuzz('GET /api/orders/:orderNo', cases, expectApiError, RUNS);
  }, 60_000);

  it('POST /api/orders/:orderNo/pay: refused, and the order stays without a payer', async () => {
    const pay = (
      name: string,
      param: string,
      headers: Record<string, string>,
      status?: number[],
    ): Case => ({
      name,
      method: 'POST',
      path: `/api/orders/${param}/pay`,
      headers,
      ...(status ? { status } : {}),
    });
    const signedIn = { authorization: `Bearer ${user.token}` };
    const cases = fc.oneof(
      badOrderParam(pending.orderNo).map(({ name, value }) =>
        pay(name, value, { ...signedIn, 'x-order-token': pending.orderToken }),
      ),
      fc
        .oneof(
          base64url(0, 42),
          base64url(44, 200),
          inserted(base64url(42, 42), fc.constantFrom('+', '/', '=', '.', '~', ' ', 'é')),
        )
        .map((t) =>
          pay(
            'X-Order-Token: malformed',
            pending.orderNo,
            { ...signedIn, 'x-order-token': t },
            [400],
          ),
        ),
      fc
        .oneof(
          base64url(43, 43).filter((t) => t !== pending.orderToken),
          fc.constant(paid.orderToken),
        )
        .map((t) =>
          pay(
            'a real session with a wrong order token',
            pending.orderNo,
            { ...signedIn, 'x-order-token': t },
            [403],
          ),
        ),
      fc.constant(pay('a real session without the order token', pending.orderNo, signedIn, [403])),
      badAuthorization().map(({ name, value }) =>
        pay(`${name}, with the right order token`, pending.orderNo, {
          authorization: value,
          'x-order-token': pending.orderToken,
        }),
      ),
      fc.constant(
        pay(
          'no session, the right order token',
          pending.orderNo,
          { 'x-order-token': pending.orderToken },
          [401],
        ),
      ),
      fc.constant(
        pay('the paid order, by a payer who is not its own', paid.orderNo, signedIn, [403]),
      ),
    );
    await fuzz('POST /api/orders/:orderNo/pay', cases, expectApiError, RUNS);
    const row = await stack.server.storage.orders.find(pending.orderNo);
    expect(row?.openid).toBeNull();
    expect(row?.prepay_id).toBeNull();
  }, 60_000);

  it('POST /api/orders/:orderNo/refund: refused, and no refund is recorded', async () => {
    const admin = { ...JSON_CT, authorization: `Bearer ${stack.adminToken}` };
    const refund = (
      name: string,
      body: string | Buffer,
      headers: Record<string, string> = admin,
      orderNo = paid.orderNo,
      status?: number[],
    ): Case => ({
      name,
      method: 'POST',
      path: `/api/orders/${orderNo}/refund`,
      headers,
      body,
      ...(status ? { status } : {}),
    });
    const withBody = (name: string, arb: fc.Arbitrary<unknown>) =>
      arb.map((v) => refund(name, JSON.stringify(v)));
    const left = paid.total;
    const valid = JSON.stringify({ amount: 1, reason: 'fuzz' });
    const adminToken = stack.adminToken;
    const cases = fc.oneof(
      withBody(
        'amount: zero or negative',
        fc.oneof(fc.constant(0), fc.integer({ max: -1 })).map((amount) => ({ amount })),
      ),
      withBody(
        'amount: fractional',
        fc
          .double({ min: -1e6, max: 1e6, noNaN: true })
          .filter((x) => !Number.isInteger(x))
          .map((amount) => ({ amount })),
      ),
      withBody(
        'amount: huge',
        fc
          .oneof(
            fc.integer({ min: 100_000_000_001, max: Number.MAX_SAFE_INTEGER }),
            fc.constantFrom(1e20, Number.MAX_SAFE_INTEGER + 2, 1e308),
          )
          .map((amount) => ({ amount })),
      ),
      withBody(
        'amount: more than paid',
        fc
          .integer({ min: left + 1, max: 100_000_000_000 })
          .map((amount) => ({ amount, reason: 'too much' })),
      ),
      withBody(
        'amount: not an integer',
        notAnInteger.map((amount) => ({ amount })),
      ),
      withBody(
        'reason: not a string',
        notAString.map((reason) => ({ amount: 1, reason })),
      ),
      withBody(
        'reason: over 80 characters',
        fc
          .string({ unit: fc.constantFrom('a', '退', '😀', ' '), minLength: 81, maxLength: 400 })
          .map((reason) => ({ amount: 1, reason })),
      ),
      withBody(
        'reason: control characters or a line break',
        inserted(asciiLine(40), fc.constantFrom(...LINE_CONTROLS)).map((reason) => ({
          amount: 1,
          reason,
        })),
      ),
      withBody(
        'reason: lone surrogate',
        inserted(asciiLine(40), loneSurrogate).map((reason) => ({ amount: 1, reason })),
      ),
      notAnObjectJson.map((b) => refund('body: not a JSON object', b)),
      malformed(valid).map((b) => refund('body: malformed JSON', b)),
      spliced('{"amount":1,"reason":"', '"}').map((b) =>
        refund('body: invalid UTF-8 in the reason', b, admin, paid.orderNo, [400]),
      ),
      fc
        .constantFrom(...NOT_JSON_TYPES)
        .map((ct) =>
          refund(
            'content-type: not JSON',
            valid,
            { ...admin, 'content-type': ct },
            paid.orderNo,
            [415],
          ),
        ),
      fc.constant(refund('admin token: missing', valid, JSON_CT, paid.orderNo, [401])),
      fc
        .oneof(
          base64url(1, 200).map((t) => `Bearer ${t}`),
          fc.constantFrom(
            `bearer ${adminToken}`,
            `Bearer  ${adminToken}`,
            `Bearer ${adminToken}x`,
            `Bearer ${adminToken.slice(0, -1)}`,
            `Bearer ${adminToken.toUpperCase()}`,
            `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`,
            adminToken,
            `Bearer ${user.token}`,
            'Bearer',
            '',
          ),
          fc
            .tuple(fc.nat({ max: adminToken.length - 1 }), fc.constantFrom(...BASE64URL))
            .filter(([i, ch]) => adminToken[i] !== ch)
            .map(([i, ch]) => `Bearer ${adminToken.slice(0, i)}${ch}${adminToken.slice(i + 1)}`),
        )
        .filter((v) => v.trim() !== `Bearer ${adminToken}`)
        .map((v) =>
          refund(
            'admin token: wrong',
            valid,
            { ...JSON_CT, authorization: v },
            paid.orderNo,
            [401],
          ),
        ),
      fc.constant(
        refund(
          'admin token: in another header',
          valid,
          { ...JSON_CT, 'x-admin-token': adminToken },
          paid.orderNo,
          [401],
        ),
      ),
      base64url(250, 1000).map((t) =>
        refund(
          'admin token: over-long',
          valid,
          { ...JSON_CT, authorization: `Bearer ${t}` },
          paid.orderNo,
          [400],
        ),
      ),
      fc.constant(refund('order: not paid', valid, admin, pending.orderNo, [400])),
      keyText(6, 32)
        .map((s) => `WP${s.replace(/[:.]/g, '0')}`.slice(0, 32))
        .map((orderNo) => refund('order: unknown', valid, admin, orderNo, [404])),
      badOrderParam(paid.orderNo).map(({ name, value }) => refund(name, valid, admin, value)),
    );
    await fuzz('POST /api/orders/:orderNo/refund', cases, expectApiError, RUNS);
    expect((await stack.server.storage.orders.find(paid.orderNo))?.refunded).toBe(0);
  }, 60_000);

  it('POST /api/pay/notify: nothing unsigned or mis-signed is applied', async () => {
    /**
     * A genuine notification that the pending order was paid, encrypted and signed as WeChat
     * would: every case breaks it or its signature, so one that got through would pay the order.
     */
    const forged = (
      seed: number,
      opts: { key?: KeyObject; timestamp?: number; order?: CreatedOrder } = {},
    ) => {
      const order = opts.order ?? pending;
      return forgeNotification(stack, {
        id: `fuzz-${kind}-${seed}-${randomBytes(4).toString('hex')}`,
        resource: {
          appid: stack.config.appId,
          mchid: stack.config.mchId,
          out_trade_no: order.orderNo,
          transaction_id: `4200000000${String(seed).padStart(18, '0')}`,
          trade_state: 'SUCCESS',
          success_time: new Date().toISOString(),
          amount: { total: order.total, payer_total: order.total, currency: 'CNY' },
          payer: { openid: user.openid },
        },
        key: opts.key ?? platformKey,
        ...(opts.timestamp === undefined ? {} : { timestamp: opts.timestamp }),
        serial: stack.sandbox.credentials.platformPublicKeyId,
      });
    };
    // The control: unbroken, the same notification for another order is applied (204, paid),
    // so the cases below are refused for what each breaks, not for a fault in the forgery.
    const control = await createOrder(stack);
    const genuine = forged(1, { order: control });
    const applied = await send(base, {
      name: 'control',
      method: 'POST',
      path: '/api/pay/notify',
      headers: genuine.headers,
      body: genuine.raw,
    });
    expect(applied.status).toBe(204);
    expect((await stack.server.storage.orders.find(control.orderNo))?.status).toBe('paid');
    const notify = (
      name: string,
      body: string | Buffer,
      headers: Record<string, string>,
      status?: number[],
    ): Case => ({
      name,
      method: 'POST',
      path: '/api/pay/notify',
      headers,
      body,
      ...(status ? { status } : {}),
    });
    const SIGNATURE_HEADERS = [
      'wechatpay-timestamp',
      'wechatpay-nonce',
      'wechatpay-signature',
      'wechatpay-serial',
    ];
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const trusted = new Set(Object.keys(stack.config.platformPublicKeys));
    const seed = fc.nat();
    const cases = fc.oneof(
      fc
        .oneof(
          seed.map((s) => forged(s).raw),
          fc.json({ maxDepth: 3 }),
          fc.string({ maxLength: 200 }),
        )
        .map((raw) => notify('no Wechatpay-* headers', raw, JSON_CT, [401])),
      fc.tuple(seed, fc.subarray(SIGNATURE_HEADERS, { minLength: 1 })).map(([s, drop]) => {
        const n = forged(s);
        for (const h of drop) delete n.headers[h];
        return notify('some Wechatpay-* headers missing', n.raw, n.headers, [401]);
      }),
      fc.tuple(seed, fc.nat(), fc.constantFrom(...B64)).map(([s, at, ch]) => {
        const n = forged(s);
        const sig = n.headers['wechatpay-signature'] ?? '';
        // Only characters whose every bit counts (not the last ones, which carry padding).
        const i = at % (sig.length - 4);
        const swapped = sig[i] === ch ? (ch === 'A' ? 'B' : 'A') : ch;
        n.headers['wechatpay-signature'] = sig.slice(0, i) + swapped + sig.slice(i + 1);
        return notify('signature: one character changed', n.raw, n.headers, [401]);
      }),
      fc
        .tuple(
          seed,
          fc.oneof(
            fc.string({ unit: fc.constantFrom(...B64), minLength: 1, maxLength: 400 }),
            fc.constantFrom('WECHATPAY/SIGNTEST/', 'WECHATPAY/SIGNTEST/AAAA', ' ', '====', 'null'),
            fc.string({ maxLength: 60 }).map((s) => `WECHATPAY/SIGNTEST/${s}`),
          ),
        )
        .map(([s, sig]) => {
          const n = forged(s);
          n.headers['wechatpay-signature'] = sig;
          return notify('signature: garbled', n.raw, n.headers, [401]);
        }),
      fc
        .tuple(
          seed,
          fc.oneof(
            fc.constantFrom(
              'abc',
              '',
              ' ',
              '1e9',
              '-1',
              '0',
              '1.5',
              '99999999999999',
              'NaN',
              '0x10',
            ),
            fc
              .integer({ min: 400, max: 100_000_000 })
              .map((d) => String(Math.floor(Date.now() / 1000) - d)),
            fc
              .integer({ min: 400, max: 100_000_000 })
              .map((d) => String(Math.floor(Date.now() / 1000) + d)),
            fc.string({ maxLength: 20 }),
          ),
        )
        .map(([s, t]) => {
          const n = forged(s);
          n.headers['wechatpay-timestamp'] = t;
          return notify('timestamp: garbled or stale', n.raw, n.headers, [401]);
        }),
      fc
        .tuple(seed, fc.integer({ min: 400, max: 100_000_000 }), fc.boolean())
        .map(([s, d, past]) => {
          const now = Math.floor(Date.now() / 1000);
          const n = forged(s, { timestamp: past ? now - d : now + d });
          return notify('timestamp: signed but outside the window', n.raw, n.headers, [401]);
        }),
      fc
        .tuple(
          seed,
          fc.oneof(
            fc.string({ maxLength: 80 }),
            fc.constantFrom('PUB_KEY_ID_0000', 'PUB_KEY_ID_', '0'.repeat(40)),
          ),
        )
        .filter(([, serial]) => !trusted.has(serial.trim()))
        .map(([s, serial]) => {
          const n = forged(s);
          n.headers['wechatpay-serial'] = serial;
          return notify('serial: unknown', n.raw, n.headers, [401]);
        }),
      fc.tuple(seed, base64url(1, 40)).map(([s, nonce]) => {
        const n = forged(s);
        n.headers['wechatpay-nonce'] = `${n.headers['wechatpay-nonce'] ?? ''}${nonce}`;
        return notify('nonce: changed after signing', n.raw, n.headers, [401]);
      }),
      fc.tuple(seed, fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([s, at, ins]) => {
        const n = forged(s);
        const i = at % (n.raw.length + 1);
        return notify(
          'body: changed after signing',
          n.raw.slice(0, i) + ins + n.raw.slice(i),
          n.headers,
          [401],
        );
      }),
      seed.map((s) => {
        const n = forged(s, { key: otherKey });
        return notify('signature: by another key', n.raw, n.headers, [401]);
      }),
      fc
        .tuple(
          fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 200 })),
          fc.array(fc.string({ maxLength: 60 }), { minLength: 4, maxLength: 4 }),
        )
        .map(([raw, values]) =>
          notify('random body, random Wechatpay-* headers', raw, {
            ...JSON_CT,
            ...Object.fromEntries(SIGNATURE_HEADERS.map((h, i) => [h, values[i] ?? ''])),
          }),
        ),
      fc
        .tuple(seed, fc.integer({ min: NOTIFY_BODY_LIMIT + 1, max: NOTIFY_BODY_LIMIT + 40_000 }))
        .map(([s, n]) => {
          const h = forged(s).headers;
          return notify(
            'body: over the notification limit',
            `{"pad":"${'x'.repeat(n)}"}`,
            h,
            [413],
          );
        }),
      fc.tuple(seed, fc.constantFrom(...NOT_JSON_TYPES, 'text/plain')).map(([s, ct]) => {
        const n = forged(s);
        return notify('content-type: not JSON', n.raw, { ...n.headers, 'content-type': ct });
      }),
      seed.map((s) => {
        const n = forged(s);
        const rest: Record<string, string> = { ...n.headers };
        delete rest['content-type'];
        return notify('content-type: none', n.raw, rest);
      }),
      seed.map((s) => notify('body: empty', '', forged(s).headers)),
      fc.tuple(seed, invalidUtf8).map(([s, bad]) => {
        const n = forged(s);
        return notify(
          'body: invalid UTF-8',
          Buffer.concat([Buffer.from(n.raw), bad]),
          n.headers,
          [401],
        );
      }),
    );
    await fuzz('POST /api/pay/notify', cases, expectFail, RUNS);
    expect((await stack.server.storage.orders.find(pending.orderNo))?.status).toBe('pending');
  }, 60_000);

  it('GET /api/catalog and /healthz: junk query strings and headers still answer 200', async () => {
    const HEADER_NAME = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    const junkQuery = fc.oneof(
      fc.webQueryParameters(),
      fc.string({ unit: 'binary', maxLength: 200 }).map(encodeSegment),
      fc
        .array(
          fc.constantFrom(
            '%',
            '%zz',
            '%ff',
            '%00',
            '&',
            '=',
            '==',
            '[]',
            'a[b]=1',
            '__proto__=1',
            'constructor[prototype]=1',
            ';',
            '+',
            '%2B',
          ),
          { maxLength: 20 },
        )
        .map((parts) => parts.join('')),
      fc.integer({ min: 1000, max: 8000 }).map((n) => `q=${'x'.repeat(n)}`),
    );
    const junkHeaders = fc.dictionary(
      fc
        .string({ unit: fc.constantFrom(...HEADER_NAME), minLength: 1, maxLength: 20 })
        .map((n) => `x-${n}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 100 }),
      { maxKeys: 5 },
    );
    const extras = fc.record(
      {
        authorization: fc.string({ maxLength: 300 }),
        accept: fc.constantFrom('text/html', 'application/xml', '*/*', 'image/*;q=0', 'nonsense'),
        'x-request-id': fc.string({ maxLength: 100 }),
        cookie: fc.string({ maxLength: 100 }),
        'content-type': fc.constantFrom('application/json', 'text/plain', 'nonsense'),
        'if-none-match': fc.string({ maxLength: 40 }),
      },
      { requiredKeys: [] },
    );
    const cases = fc
      .tuple(fc.constantFrom('/api/catalog', '/healthz'), junkQuery, junkHeaders, extras)
      .map(([path, q, h, e]): Case => ({
        name: `${path} with junk`,
        method: 'GET',
        path: `${path}?${q}`,
        headers: { ...h, ...e },
      }));
    await fuzz(
      'GET /api/catalog, /healthz',
      cases,
      (c, a) => {
        const what = describeAnswer(c, a);
        if (a.status !== 200) throw new Error(`not 200: ${what}`);
        const want = c.path.startsWith('/healthz') ? { status: 'ok', database: 'ok' } : catalog;
        expect(JSON.parse(a.text)).toEqual(want);
      },
      200,
    );
  }, 60_000);
});
