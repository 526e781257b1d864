/**
 * The one place the payment scheme is chosen (WECHAT_PAY_SCHEME): each scheme is an adapter
 * on the same port, so the services never branch on it.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import { systemClock } from '../../clock';
import { payScheme, payerApps } from '../../config';
import type { ServerConfig } from '../../config';
import { WechatPayClient } from './client';
import type { PayGateway } from './port';
import { V2Client } from './v2/client';
import { V2Gateway } from './v2/gateway';
import { V3DirectGateway } from './v3-direct';
import { V3PartnerGateway } from './v3-partner';
import { loadPlatformKeys } from './verify';

export interface GatewayDeps {
  logger: Logger;
  /** The business clock (API v2's close rule is judged on it). */
  clock: Clock;
  notifyUrl: () => string;
}

export function createPayGateway(config: ServerConfig, deps: GatewayDeps): PayGateway {
  const scheme = payScheme(config);
  // The cashier mini program's AppID, for the schemes that can place orders under it.
  const extraAppIds = payerApps(config)
    .slice(1)
    .map((a) => a.appId);
  if (scheme === 'v2') {
    const v2 = config.v2;
    if (!v2) throw new Error('API v2 settings missing (validateConfig should have said so)');
    const client = new V2Client({
      baseUrl: config.wechatPayBase,
      secapiBase: v2.secapiBase,
      appId: config.appId,
      extraAppIds,
      mchId: config.mchId,
      key: v2.key,
      signType: v2.signType,
      ...(v2.clientCertPem
        ? { clientCertPem: v2.clientCertPem, clientKeyPem: config.merchantPrivateKeyPem }
        : {}),
      ...(config.wechatPayCaPem ? { caPem: config.wechatPayCaPem } : {}),
      logger: deps.logger,
      timeoutMs: config.wechatTimeoutMs,
      retries: config.wechatRetries,
    });
    return new V2Gateway({
      client,
      appId: config.appId,
      extraAppIds,
      mchId: config.mchId,
      key: v2.key,
      signType: v2.signType,
      clock: deps.clock,
      notifyUrl: deps.notifyUrl,
    });
  }
  const merchantKey = WechatPayClient.privateKey(config.merchantPrivateKeyPem);
  const platformKeys = loadPlatformKeys(config.platformPublicKeys);
  const client = new WechatPayClient({
    baseUrl: config.wechatPayBase,
    mchId: config.mchId,
    merchantSerialNo: config.merchantSerialNo,
    merchantPrivateKey: merchantKey,
    platformKeys,
    // Signatures are stamped and judged on the wall clock, never a test's shifted clock.
    wallClock: systemClock,
    logger: deps.logger,
    timeoutMs: config.wechatTimeoutMs,
    retries: config.wechatRetries,
  });
  const common = {
    client,
    merchantKey,
    platformKeys,
    apiV3Key: config.apiV3Key,
    notifyWindowSeconds: config.notifyWindowSeconds,
    notifyUrl: deps.notifyUrl,
  };
  if (scheme === 'v3-partner') {
    return new V3PartnerGateway({ ...common, spAppId: config.appId, spMchId: config.mchId });
  }
  return new V3DirectGateway({
    ...common,
    appId: config.appId,
    extraAppIds,
    mchId: config.mchId,
  });
}
