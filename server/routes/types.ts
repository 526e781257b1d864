import type { ServerConfig } from '../config';
import type { Storage } from '../db/connect';
import type { NotifyService } from '../services/notify';
import type { Checkout } from '../services/checkout';
import type { OrderRecords } from '../services/order-records';
import type { Refunds } from '../services/refunds';
import type { Settlement } from '../services/settlement';
import type { SessionService } from '../services/sessions';

/** What route plugins receive as options. */
export interface RouteDeps {
  config: ServerConfig;
  storage: Storage;
  records: OrderRecords;
  checkout: Checkout;
  settlement: Settlement;
  refunds: Refunds;
  sessions: SessionService;
  notify: NotifyService;
}
