/**
 * Test-side WeChat Pay v3 merchant client and notify receiver, written from the documented rules
 * (docs/wechat-pay.md §4) and deliberately sharing no code with sandbox/ or server/.
 */
import {
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Plain node:http call so the test controls every byte and header. */
export function http(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error('client timeout')));
    }
    req.end(options.body);
  });
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<HttpResult & { json: Record<string, unknown> }> {
  const r = await http(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { ...r, json: JSON.parse(r.text) as Record<string, unknown> };
}

export async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await http(url);
  return JSON.parse(r.text) as Record<string, unknown>;
}

export async function putJson(url: string, body: unknown): Promise<HttpResult> {
  return http(url, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface PaymentArgs {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

export interface SignOverrides {
  timestamp?: string;
  nonce?: string;
  serial?: string;
  mchid?: string;
  signature?: string;
  /** Sign this path instead of the one requested (e.g. drop the query). */
  signedPath?: string;
  /** Sign these bytes instead of the ones sent. */
  signedBody?: string;
  authorization?: string | null;
  contentType?: string | null;
}

export interface PayResult extends HttpResult {
  json: Record<string, unknown> | undefined;
  /** Did Wechatpay-Signature verify with the key named by Wechatpay-Serial? */
  verified: boolean;
}

/** The documented merchant side of WeChat Pay v3. */
export class MerchantClient {
  private readonly privateKey: KeyObject;

  constructor(
    readonly sandbox: Sandbox,
    private readonly platformKeys: Map<string, KeyObject> = platformKeysOf(sandbox),
  ) {
    this.privateKey = sandboxPrivateKey(sandbox);
  }

  async call(
    method: 'GET' | 'POST',
    pathWithQuery: string,
    body?: unknown,
    o: SignOverrides = {},
  ): Promise<PayResult> {
    const c = this.sandbox.credentials;
    const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = o.nonce ?? randomBytes(16).toString('hex').toUpperCase();
    const message = `${method}\n${o.signedPath ?? pathWithQuery}\n${timestamp}\n${nonce}\n${o.signedBody ?? raw}\n`;
    const signature =
      o.signature ?? createSign('RSA-SHA256').update(message).sign(this.privateKey, 'base64');
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': 'sandbox-test/1.0',
    };
    const authorization =
      o.authorization === undefined
        ? `WECHATPAY2-SHA256-RSA2048 mchid="${o.mchid ?? c.mchId}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${o.serial ?? c.merchantSerialNo}",signature="${signature}"`
        : o.authorization;
    if (authorization !== null) headers.Authorization = authorization;
    if (method === 'POST' && o.contentType !== null)
      headers['Content-Type'] = o.contentType ?? 'application/json';
    const res = await http(`${this.sandbox.url}${pathWithQuery}`, {
      method,
      headers,
      ...(method === 'POST' ? { body: raw } : {}),
    });
    return {
      ...res,
      json: res.text === '' ? undefined : (JSON.parse(res.text) as Record<string, unknown>),
      verified: this.verify(res.headers, res.text),
    };
  }

  /** The query-by-out_trade_no path, with this merchant's mchid. */
  queryPath(outTradeNo: string): string {
    return `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${this.sandbox.credentials.mchId}`;
  }

  /** Queries an order by out_trade_no. */
  query(outTradeNo: string): Promise<PayResult> {
    return this.call('GET', this.queryPath(outTradeNo));
  }

  verify(headers: IncomingHttpHeaders, body: string): boolean {
    return verifyWechatSignature(this.platformKeys, headers, body);
  }

  /** paySign over the four documented lines, and the whole requestPayment argument object. */
  requestPaymentArgs(prepayId: string, appId = this.sandbox.credentials.appId): PaymentArgs {
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = randomBytes(12).toString('hex');
    const pkg = `prepay_id=${prepayId}`;
    const paySign = createSign('RSA-SHA256')
      .update(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`)
      .sign(this.privateKey, 'base64');
    return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
  }
}

export function platformKeysOf(sandbox: Sandbox): Map<string, KeyObject> {
  const c = sandbox.credentials;
  return new Map([
    [c.platformCertSerialNo, createPublicKey(c.platformCertPublicKeyPem)],
    [c.platformPublicKeyId, createPublicKey(c.platformPublicKeyPem)],
  ]);
}

function sandboxPrivateKey(sandbox: Sandbox): KeyObject {
  return createPrivateKey(sandbox.credentials.merchantPrivateKeyPem);
}

export function verifyWechatSignature(
  keys: Map<string, KeyObject>,
  headers: IncomingHttpHeaders,
  body: string,
): boolean {
  const ts = headers['wechatpay-timestamp'];
  const nonce = headers['wechatpay-nonce'];
  const signature = headers['wechatpay-signature'];
  const serial = headers['wechatpay-serial'];
  if (
    typeof ts !== 'string' ||
    typeof nonce !== 'string' ||
    typeof signature !== 'string' ||
    typeof serial !== 'string'
  ) {
    return false;
  }
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) return false;
  if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const key = keys.get(serial);
  if (key === undefined) return false;
  return createVerify('RSA-SHA256')
    .update(`${ts}\n${nonce}\n${body}\n`)
    .verify(key, signature, 'base64');
}

export function decryptNotification(
  apiV3Key: string,
  body: string,
): { event: Record<string, unknown>; resource: Record<string, unknown> } {
  const event = JSON.parse(body) as Record<string, unknown> & {
    resource: { ciphertext: string; nonce: string; associated_data: string };
  };
  const all = Buffer.from(event.resource.ciphertext, 'base64');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(apiV3Key),
    Buffer.from(event.resource.nonce),
  );
  decipher.setAAD(Buffer.from(event.resource.associated_data));
  decipher.setAuthTag(all.subarray(all.length - 16));
  const plain = Buffer.concat([
    decipher.update(all.subarray(0, all.length - 16)),
    decipher.final(),
  ]).toString('utf8');
  return { event, resource: JSON.parse(plain) as Record<string, unknown> };
}

export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number | 'hang';
}

/** A merchant notify endpoint whose answer per delivery is scripted by the test. */
export class NotifyReceiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  private waiters: { count: number; resolve: () => void }[] = [];
  url = '';

  constructor(
    public answer: (
      n: number,
      body: string,
      headers: IncomingHttpHeaders,
    ) => number | 'hang' = () => 204,
  ) {}

  async start(path = '/pay/notify'): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const answered = this.answer(this.received.length + 1, body, req.headers);
        this.received.push({ at: Date.now(), headers: req.headers, body, answered });
        this.waiters = this.waiters.filter((w) => {
          if (this.received.length >= w.count) w.resolve();
          return this.received.length < w.count;
        });
        if (answered === 'hang') return;
        res.statusCode = answered;
        res.setHeader('Content-Type', 'application/json');
        res.end(
          answered === 200 || answered === 204
            ? ''
            : JSON.stringify({ code: 'FAIL', message: 'not yet' }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${path}`;
    return this;
  }

  waitFor(count: number, timeoutMs = 5000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} deliveries, got ${this.received.length}`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** One generated credential set per test file (key generation is the slow part). */
export function tempCredentialsDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startSandbox(dir: string, options: SandboxOptions = {}): Promise<Sandbox> {
  return createSandbox({
    credentialsDir: dir,
    port: 0,
    host: '127.0.0.1',
    timeScale: 0.001,
    ...options,
  });
}

/** A valid JSAPI body for `openid`, with the notify URL of a receiver. */
export function jsapiBody(
  sandbox: Sandbox,
  openid: string,
  notifyUrl: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    appid: sandbox.credentials.appId,
    mchid: sandbox.credentials.mchId,
    description: 'Sandbox test item',
    out_trade_no: `T${randomBytes(8).toString('hex')}`,
    notify_url: notifyUrl,
    amount: { total: 100, currency: 'CNY' },
    payer: { openid },
    ...overrides,
  };
}

export async function mintOpenid(sandbox: Sandbox, user: string, appid?: string): Promise<string> {
  const r = await postJson(`${sandbox.url}/sandbox/login-code`, appid ? { user, appid } : { user });
  return r.json.openid as string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates an order and pays it at the cashier; returns its out_trade_no and prepay_id. */
export async function createAndPay(
  client: MerchantClient,
  openid: string,
  notifyUrl: string,
  overrides: Record<string, unknown> = {},
): Promise<{ outTradeNo: string; prepayId: string }> {
  const body = jsapiBody(client.sandbox, openid, notifyUrl, overrides);
  const created = await client.call('POST', '/v3/pay/transactions/jsapi', body);
  if (created.status !== 200) throw new Error(`jsapi failed: ${created.text}`);
  const prepayId = created.json?.prepay_id as string;
  const paid = await postJson(`${client.sandbox.url}/sandbox/cashier/pay`, {
    openid,
    outcome: 'success',
    requestPaymentArgs: client.requestPaymentArgs(prepayId),
  });
  if (paid.json.errMsg !== 'requestPayment:ok') throw new Error(`cashier: ${paid.text}`);
  return { outTradeNo: body.out_trade_no as string, prepayId };
}

export interface SandboxUnderTest {
  readonly sandbox: Sandbox;
  readonly client: MerchantClient;
  /** The payer, minted for `user`. */
  readonly openid: string;
  /** The merchant's notify endpoint (with `receiver: true`). */
  readonly receiver: NotifyReceiver;
  /** The file's credentials: another sandbox started on them reuses the keys. */
  readonly credentialsDir: string;
}

/**
 * The set-up the sandbox test files share: one sandbox on its own credentials with a merchant
 * client and, if asked, a payer minted for `user` and a notify receiver; all stopped and the
 * credentials removed after the file.
 */
export function useSandbox(
  options: { user?: string; receiver?: boolean; sandbox?: SandboxOptions } = {},
): SandboxUnderTest {
  const creds = tempCredentialsDir();
  let sandbox: Sandbox | undefined;
  let client: MerchantClient | undefined;
  let openid: string | undefined;
  let receiver: NotifyReceiver | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox(creds.dir, options.sandbox);
    client = new MerchantClient(sandbox);
    if (options.user !== undefined) openid = await mintOpenid(sandbox, options.user);
    if (options.receiver) receiver = await new NotifyReceiver().start();
  });
  afterAll(async () => {
    await sandbox?.close();
    await receiver?.close();
    creds.remove();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useSandbox: no ${what} (not asked for, or not yet)`);
    return value;
  };
  return {
    get sandbox() {
      return ready(sandbox, 'sandbox');
    },
    get client() {
      return ready(client, 'client');
    },
    get openid() {
      return ready(openid, 'openid');
    },
    get receiver() {
      return ready(receiver, 'receiver');
    },
    credentialsDir: creds.dir,
  };
}
