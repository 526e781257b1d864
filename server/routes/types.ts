import type { ServerConfig } from '../config';
import type { Storage } from '../db/connect';
import type { NotifyService } from '../services/notify';
import type { OrderService } from '../services/orders';
import type { SessionService } from '../services/sessions';

/** What route plugins receive as options. */
export interface RouteDeps {
  config: ServerConfig;
  storage: Storage;
  orders: OrderService;
  sessions: SessionService;
  notify: NotifyService;
}
