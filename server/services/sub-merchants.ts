/**
 * Partner mode: which sub-merchant an order pays. Fixed when the order is created, from the host
 * mini program WeChat vouched for (X-WECHAT-HOSTSIGN) or the default (`*`); checked again before
 * every payment so a sub-merchant disabled meanwhile takes no more money. Other schemes: none.
 */
import { payScheme } from '../config';
import type { ServerConfig, SubMerchant } from '../config';
import { ApiFailure } from '../errors';

const unavailable = (message: string): ApiFailure =>
  new ApiFailure(403, 'SUB_MERCHANT_UNAVAILABLE', message);

export class SubMerchants {
  private readonly byHost = new Map<string, SubMerchant>();
  private readonly byId = new Map<string, SubMerchant>();
  private readonly partner: boolean;

  constructor(config: Pick<ServerConfig, 'payScheme' | 'subMerchants'>) {
    this.partner = payScheme(config) === 'v3-partner';
    for (const s of config.subMerchants ?? []) {
      this.byId.set(s.subMchId, s);
      for (const h of s.hosts) this.byHost.set(h, s);
    }
  }

  /** The sub_mchid a new order from `hostAppId` (undefined: the owner's shop) pays, or null. */
  forNewOrder(hostAppId: string | undefined): string | null {
    if (!this.partner) return null;
    const s =
      (hostAppId !== undefined ? this.byHost.get(hostAppId) : undefined) ?? this.byHost.get('*');
    if (!s) {
      throw unavailable(
        hostAppId === undefined
          ? 'no sub-merchant takes the shop’s own orders (no default * in WECHAT_SUB_MERCHANTS)'
          : `no sub-merchant takes orders from host app ${hostAppId}`,
      );
    }
    if (!s.enabled) throw unavailable(`sub-merchant ${s.subMchId} is disabled`);
    return s.subMchId;
  }

  /** Before money moves: the order's sub-merchant must still be configured and enabled. */
  assertPayable(subMchId: string | null): void {
    if (!this.partner) return;
    const s = subMchId === null ? undefined : this.byId.get(subMchId);
    if (!s) throw unavailable(`sub-merchant ${String(subMchId)} is no longer configured`);
    if (!s.enabled) throw unavailable(`sub-merchant ${s.subMchId} is disabled`);
  }
}
