/**
 * WeChat Pay API v2 client: XML over HTTPS POST. Each call adds appid (the owner's unless the
 * call names the order's own), mch_id, nonce_str, sign_type and the sign, serialises once and sends those exact bytes on every attempt (retries
 * on network errors, 5xx and SYSTEMERROR only: WeChat asks for a retry with the same parameters
 * then). Every answer WeChat marks SUCCESS is signed, and is trusted only once its sign verifies.
 * `/secapi/…` calls (refunds) go through a second connection pool that presents the merchant's
 * client certificate (mutual TLS).
 */
import type { Logger } from 'pino';
import { HttpClient, ResponseTooLarge } from '../../http-client';
import type { HttpResponse } from '../../http-client';
import { WechatPayError } from '../errors';
import { randomNonce } from '../sign';
import { signV2, verifyV2 } from './sign';
import type { V2SignType } from './sign';
import { MAX_V2_XML_BYTES, XmlError, buildV2Xml, parseV2Xml } from './xml';

export interface V2ClientOptions {
  baseUrl: string;
  /** Base of the mutual-TLS endpoints (`/secapi/…`). */
  secapiBase: string;
  appId: string;
  /** Other AppIDs bound to mchId whose answers are ours too (the cashier mini program). */
  extraAppIds?: readonly string[];
  mchId: string;
  key: string;
  signType: V2SignType;
  /** apiclient_cert.pem and its key: without them `/secapi/…` calls fail before sending. */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Extra CA to trust (the sandbox's self-signed certificate). */
  caPem?: string;
  logger: Logger;
  timeoutMs: number;
  retries: number;
  retryDelayMs?: number;
  maxSockets?: number;
}

/** err_code → how the services should read it (the port speaks in v3's HTTP terms). */
const NOT_FOUND = new Set(['ORDERNOTEXIST', 'REFUNDNOTEXIST']);
const RETRYABLE = new Set(['SYSTEMERROR', 'BIZERR_NEED_RETRY', 'FREQUENCY_LIMITED']);

export type V2Answer = Record<string, string>;

export class V2Client {
  private readonly http: HttpClient;
  private secure: HttpClient | undefined;
  private readonly retryDelayMs: number;

  constructor(private readonly o: V2ClientOptions) {
    this.retryDelayMs = o.retryDelayMs ?? 200;
    this.http = new HttpClient({
      baseUrl: o.baseUrl,
      timeoutMs: o.timeoutMs,
      maxSockets: o.maxSockets,
      maxResponseBytes: MAX_V2_XML_BYTES,
      ...(o.caPem && o.baseUrl.startsWith('https:') ? { tls: { ca: o.caPem } } : {}),
    });
  }

  destroy(): void {
    this.http.close();
    this.secure?.close();
  }

  /** The mutual-TLS pool, opened on first use. */
  private secureHttp(): HttpClient {
    if (!this.o.clientCertPem || !this.o.clientKeyPem) {
      throw new WechatPayError(
        'API v2 refunds need the merchant API certificate: set WECHAT_MERCHANT_CERT and WECHAT_MERCHANT_PRIVATE_KEY',
        { status: 0, code: 'NO_CLIENT_CERT', verified: false },
      );
    }
    this.secure ??= new HttpClient({
      baseUrl: this.o.secapiBase,
      timeoutMs: this.o.timeoutMs,
      maxSockets: this.o.maxSockets,
      maxResponseBytes: MAX_V2_XML_BYTES,
      tls: {
        cert: this.o.clientCertPem,
        key: this.o.clientKeyPem,
        ...(this.o.caPem ? { ca: this.o.caPem } : {}),
      },
    });
    return this.secure;
  }

  /** Signs `fields` with the account's fields added, and returns the verified answer. */
  async call(path: string, fields: Record<string, string | number>): Promise<V2Answer> {
    const pool = path.startsWith('/secapi/') ? this.secureHttp() : this.http;
    const signed: Record<string, string | number> = {
      appid: this.o.appId,
      mch_id: this.o.mchId,
      nonce_str: randomNonce(),
      sign_type: this.o.signType,
      ...fields,
    };
    signed.sign = signV2(signed, this.o.key, this.o.signType);
    const body = buildV2Xml(signed);
    let attempt = 0;
    for (;;) {
      let res: HttpResponse;
      try {
        const started = Date.now();
        res = await pool.send('POST', path, { 'Content-Type': 'text/xml; charset=utf-8' }, body);
        this.o.logger.info(
          { path, status: res.status, ms: Date.now() - started },
          'WeChat Pay v2 call',
        );
      } catch (err) {
        if (attempt < this.o.retries && !(err instanceof ResponseTooLarge)) {
          await this.backoff(attempt++);
          continue;
        }
        throw new WechatPayError(
          `WeChat Pay v2 ${path} failed: ${err instanceof Error ? err.message : String(err)}`,
          { status: 0, verified: false },
        );
      }
      if (res.status >= 500 && attempt < this.o.retries) {
        await this.backoff(attempt++);
        continue;
      }
      try {
        return this.accept(path, res, String(signed.appid));
      } catch (err) {
        if (
          err instanceof WechatPayError &&
          err.verified &&
          err.status >= 500 &&
          attempt < this.o.retries
        ) {
          this.o.logger.warn({ path, code: err.code, attempt }, 'WeChat Pay v2 asks for a retry');
          await this.backoff(attempt++);
          continue;
        }
        throw err;
      }
    }
  }

  /** `appId`: the AppID the request named; the answer must be about that same one. */
  private accept(path: string, res: HttpResponse, appId: string): V2Answer {
    if (res.status !== 200) {
      throw new WechatPayError(`WeChat Pay v2 ${path}: HTTP ${res.status}`, {
        status: res.status >= 500 ? res.status : 502,
        verified: false,
      });
    }
    let a: V2Answer;
    try {
      a = parseV2Xml(res.body.toString('utf8'));
    } catch (err) {
      const why = err instanceof XmlError ? err.message : String(err);
      throw new WechatPayError(`WeChat Pay v2 ${path}: answer is not v2 XML (${why})`, {
        status: 502,
        verified: false,
      });
    }
    if (a.return_code !== 'SUCCESS') {
      // Transport-level refusal (bad signature, malformed request): unsigned, so not trusted
      // as an answer about any order; it usually means our configuration is wrong.
      this.o.logger.error({ path, returnMsg: a.return_msg }, 'WeChat Pay v2 return_code FAIL');
      throw new WechatPayError(`WeChat Pay v2 ${path}: FAIL ${a.return_msg ?? ''}`.trim(), {
        status: 502,
        code: 'RETURN_FAIL',
        verified: false,
      });
    }
    if (!verifyV2(a, this.o.key, this.o.signType)) {
      this.o.logger.error({ path }, 'WeChat Pay v2 answer signature rejected');
      throw new WechatPayError('v2 answer signature rejected', {
        status: 502,
        code: 'SIGN_ERROR',
        verified: false,
      });
    }
    // An answer names one of our AppIDs (the owner's, or the cashier's for the orders placed
    // under it), and the very one the request named (the order's: a call about an order placed
    // under the cashier AppID names the cashier's); settlement checks it against the order row.
    const ours = a.appid === this.o.appId || (this.o.extraAppIds ?? []).includes(a.appid ?? '');
    if (!ours || a.appid !== appId || a.mch_id !== this.o.mchId) {
      throw new WechatPayError('v2 answer is for another appid / mch_id', {
        status: 502,
        verified: false,
      });
    }
    if (a.result_code !== 'SUCCESS') {
      const code = a.err_code ?? 'FAIL';
      const status = NOT_FOUND.has(code) ? 404 : RETRYABLE.has(code) ? 500 : 400;
      this.o.logger.warn({ path, code }, 'WeChat Pay v2 refused');
      throw new WechatPayError(`WeChat Pay v2 ${path}: ${code} ${a.err_code_des ?? ''}`.trim(), {
        status,
        code,
        verified: true,
      });
    }
    return a;
  }

  private backoff(attempt: number): Promise<void> {
    const ms = this.retryDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
    return new Promise((r) => setTimeout(r, ms));
  }
}
