/** Public types of the sandbox library (other code builds on these: fields may be added, never changed). */

export type SerialMode = 'certificate' | 'publicKey';

export interface SandboxOptions {
  /** 0 = free port (tests); `npm run sandbox` uses SANDBOX_PORT or 3100. */
  port?: number;
  /**
   * Port of the TLS listener (API v2 refunds, mutual TLS); 0 = free port (the default);
   * `npm run sandbox` uses SANDBOX_TLS_PORT or 3101.
   */
  tlsPort?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Load keys from here, or generate and write them; default <repo>/.dev-credentials. */
  credentialsDir?: string;
  /** Multiplies every sandbox delay (notify retry schedule, refund settlement); 1 = real time. */
  timeScale?: number;
  /** Which Wechatpay-Serial responses and notifications are signed with (default 'publicKey'). */
  serialMode?: SerialMode;
  logger?: boolean;
}

/** Exactly what a merchant gets from WeChat, in the sandbox's terms. */
export interface MerchantCredentials {
  appId: string;
  appSecret: string;
  mchId: string;
  /** Merchant API certificate serial (40 upper-case hex chars). */
  merchantSerialNo: string;
  /** PKCS#8 PEM (apiclient_key.pem). */
  merchantPrivateKeyPem: string;
  /** 32 ASCII chars. */
  apiV3Key: string;
  /** Platform certificate serial (certificate mode). */
  platformCertSerialNo: string;
  /** SPKI PEM public key of that platform key. */
  platformCertPublicKeyPem: string;
  /** 'PUB_KEY_ID_' + digits (public-key mode). */
  platformPublicKeyId: string;
  /** SPKI PEM (pub_key.pem). */
  platformPublicKeyPem: string;
  /** The owner's plugin: its AppID, and the token WeChat signs plugin requests with (X-WECHAT-HOSTSIGN). */
  pluginAppId: string;
  pluginToken: string;
  /** The APIv2 key: 32 alphanumerics (MD5 / HMAC-SHA256 signatures, refund req_info). */
  apiV2Key: string;
  /**
   * A second merchant account, the service provider (服务商). Its sp_appid is `appId`; it signs v3
   * requests with the same merchant key and serial and decrypts with the same apiV3Key.
   */
  spMchId: string;
  /** Sub-merchants bound to spMchId. */
  subMchIds: string[];
  /** A sub-merchant WeChat knows but that is not bound to spMchId (negative tests). */
  unboundSubMchId: string;
  /** The aggregator (jump-out channel): the merchant's id there, digits. */
  aggregatorMchId: string;
  /** The key the aggregator signs with (MD5 over sorted fields): 32 alphanumerics. */
  aggregatorKey: string;
  /** AppID of the aggregator's cashier mini program ('wx' + 16 hex). */
  aggregatorAppId: string;
  /**
   * The merchant's own cashier mini program (opened half-screen): a second AppID bound to mchId,
   * so direct-merchant JSAPI / unifiedorder orders may name it as their appid.
   */
  cashierApp: OtherApp;
  /** apiclient_cert.pem: X.509 of the merchant key, serial merchantSerialNo, CN mchId (mTLS client). */
  merchantCertPem: string;
  /** sandbox_tls_cert.pem: the TLS listener's self-signed certificate; trust it as the CA. */
  tlsCertPem: string;
}

/** A second mini program the sandbox knows, for cross-app checks (codes and openids are per app). */
export interface OtherApp {
  appId: string;
  appSecret: string;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  /** The TLS listener (mutual TLS, `/secapi/pay/refund`), e.g. https://127.0.0.1:43122. */
  tlsUrl: string;
  credentials: MerchantCredentials;
  /** Another registered app (not bound to the merchant) for negative tests. */
  otherApp: OtherApp;
  /** A third-party mini program embedding the owner's plugin. */
  consumerApp: OtherApp;
  /** Where the merchant-side files were written/read. */
  merchantCredentialsDir: string;
  /** Stops timers, pending notification deliveries, server. */
  close(): Promise<void>;
}

export type FaultEndpoint =
  | 'code2session'
  | 'jsapi'
  | 'query'
  | 'close'
  | 'refund'
  | 'refund-query'
  | 'notify'
  /** The aggregator's form notifications to the merchant (sandbox/aggregator/). */
  | 'aggregator-notify';

export type FaultKind =
  | 'system_error'
  | 'rate_limited'
  | 'latency'
  | 'timeout'
  | 'reset'
  | 'bad_signature'
  | 'probe_signature'
  | 'drop'
  | 'duplicate'
  | 'delay'
  | 'out_of_order'
  /** code2session only: errcode 40226 (high-risk user). */
  | 'high_risk_user';

export interface Fault {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** Probability 0..1 that a matching request is affected (default 1). */
  rate?: number;
  /** latency/delay: milliseconds of real time. */
  latencyMs?: number;
  /** Apply at most this many times. */
  times?: number;
}
