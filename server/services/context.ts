/** What the services share: storage, WeChat clients, config, clock, logger. */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { ServerConfig } from '../config';
import type { Storage } from '../db/connect';
import type { PayGateway } from '../wechat/pay/port';

export interface ServiceContext {
  config: ServerConfig;
  storage: Storage;
  /** The payment scheme's adapter: the services see only the port. */
  pay: PayGateway;
  clock: Clock;
  logger: Logger;
}
