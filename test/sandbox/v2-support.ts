/**
 * Test-side API v2 merchant: its own signing, XML and TLS client, written from the documented
 * rules (sharing no code with sandbox/), and an XML notify receiver.
 */
import { createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../sandbox';
import { http, type HttpResult } from './support';

export type Fields = Record<string, string>;

export function sign(fields: Fields, key: string, type: 'MD5' | 'HMAC-SHA256' = 'MD5'): string {
  const text = `${Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&')}&key=${key}`;
  const hex =
    type === 'MD5'
      ? createHash('md5').update(text).digest('hex')
      : createHmac('sha256', key).update(text).digest('hex');
  return hex.toUpperCase();
}

export function toXml(fields: Fields): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</xml>`;
}

/** Flat `<xml>` (or `<root>`) to fields; enough for the sandbox's own answers. */
export function fromXml(text: string): Fields {
  const out: Fields = {};
  for (const m of text.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) {
    if (m[1] !== undefined) out[m[1]] = m[2] ?? m[3] ?? '';
  }
  return out;
}

/** Does an answer's sign verify, with the sign type the request used? */
export function verifies(fields: Fields, key: string, type: 'MD5' | 'HMAC-SHA256'): boolean {
  return fields.sign !== undefined && fields.sign === sign(fields, key, type);
}

export interface V2Answer extends HttpResult {
  fields: Fields;
}

export function nonce(): string {
  return randomBytes(12).toString('hex');
}

/** Signs (unless `sign` is given) and posts `fields` as text/xml. */
export async function postV2(
  sandbox: Sandbox,
  path: string,
  fields: Fields,
  signType: 'MD5' | 'HMAC-SHA256' = 'MD5',
): Promise<V2Answer> {
  const all: Fields = { nonce_str: nonce(), ...fields };
  if (signType !== 'MD5') all.sign_type = signType;
  all.sign ??= sign(all, sandbox.credentials.apiV2Key, signType);
  const r = await http(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml' },
    body: toXml(all),
  });
  return { ...r, fields: fromXml(r.text) };
}

/** An https POST to the TLS listener, with or without a client certificate. */
export function postTls(
  sandbox: Sandbox,
  path: string,
  body: string,
  client?: { cert: string; key: string },
): Promise<V2Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${sandbox.tlsUrl}${path}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml' },
        ca: sandbox.credentials.tlsCertPem,
        ...(client ?? {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            fields: fromXml(text),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function signedXml(
  sandbox: Sandbox,
  fields: Fields,
  signType: 'MD5' | 'HMAC-SHA256' = 'MD5',
): string {
  const all: Fields = { nonce_str: nonce(), ...fields };
  if (signType !== 'MD5') all.sign_type = signType;
  all.sign = sign(all, sandbox.credentials.apiV2Key, signType);
  return toXml(all);
}

export function unifiedOrderFields(
  sandbox: Sandbox,
  openid: string,
  notifyUrl: string,
  overrides: Fields = {},
): Fields {
  return {
    appid: sandbox.credentials.appId,
    mch_id: sandbox.credentials.mchId,
    body: 'Sandbox v2 item',
    out_trade_no: `V${randomBytes(8).toString('hex')}`,
    total_fee: '100',
    spbill_create_ip: '127.0.0.1',
    notify_url: notifyUrl,
    trade_type: 'JSAPI',
    openid,
    ...overrides,
  };
}

/** wx.requestPayment arguments for a v2 prepay: paySign over appId, nonceStr, package, signType, timeStamp. */
export function v2PaymentArgs(
  sandbox: Sandbox,
  prepayId: string,
  signType: 'MD5' | 'HMAC-SHA256' = 'MD5',
): Fields {
  const args: Fields = {
    appId: sandbox.credentials.appId,
    timeStamp: String(Math.floor(Date.now() / 1000)),
    nonceStr: nonce(),
    package: `prepay_id=${prepayId}`,
    signType,
  };
  const paySign = sign(args, sandbox.credentials.apiV2Key, signType);
  const { appId: _appId, ...rest } = args;
  void _appId;
  return { ...rest, paySign };
}

export function decryptReqInfo(apiV2Key: string, reqInfo: string): string {
  const key = Buffer.from(createHash('md5').update(apiV2Key).digest('hex'));
  const d = createDecipheriv('aes-256-ecb', key, null);
  return Buffer.concat([d.update(Buffer.from(reqInfo, 'base64')), d.final()]).toString('utf8');
}

/** A merchant v2 notify endpoint; `answer` scripts the XML (and status) of each delivery. */
export class XmlReceiver {
  readonly received: { body: string; contentType: string | undefined }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    public answer: (n: number) => { status: number; body: string } = () => ({
      status: 200,
      body: '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    }),
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: req.headers['content-type'],
        });
        const a = this.answer(this.received.length);
        res.statusCode = a.status;
        res.setHeader('Content-Type', 'text/xml');
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2/notify`;
    return this;
  }

  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > until)
        throw new Error(`expected ${count} deliveries, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export const SUCCESS_ACK =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';
export const FAIL_ACK =
  '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[not yet]]></return_msg></xml>';
