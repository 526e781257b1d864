/** What the services share: storage, WeChat clients, config, clock, logger. */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import type { Storage } from '../db/connect';
import type { WechatPayClient } from '../wechatpay/client';
import type { PlatformKeys } from '../wechatpay/verify';

export interface ServiceContext {
  config: ServerConfig;
  storage: Storage;
  pay: WechatPayClient;
  merchantKey: KeyObject;
  platformKeys: PlatformKeys;
  clock: Clock;
  logger: Logger;
  /** Resolved notify URL (config.notifyUrl or the server's own). */
  notifyUrl(): string;
}
