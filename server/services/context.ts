/** What the services share: storage, WeChat clients, config, clock, logger. */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import type { Storage } from '../db/connect';
import type { PayGateway } from '../wechat/pay/port';
import type { SubMerchants } from './sub-merchants';

export interface ServiceContext {
  config: ServerConfig;
  storage: Storage;
  /** The payment scheme's adapter: the services see only the port. */
  pay: PayGateway;
  /** Partner mode's sub-merchants (inert under the other schemes). */
  subMerchants: SubMerchants;
  clock: Clock;
  logger: Logger;
}
