/**
 * Jump-out: the signed arguments for wx.navigateToMiniProgram to the aggregator's cashier. No
 * wx.login is needed (the aggregator knows its payer), so access is the order's own: its token,
 * or the session of a payer bound by /pay (who is then refused by the channel rule anyway). The
 * amount is the stored order's, never the client's.
 */
import type { JumpOutResponse } from '../../typings/api';
import { ApiFailure } from '../errors';
import type { ServiceContext } from '../services/context';
import type { Access, OrderRecords } from '../services/order-records';
import { bindChannel } from './channel';
import type { AggregatorConfig } from './config';
import type { AggregatorProvider } from './provider';

export class JumpOut {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly records: OrderRecords,
    private readonly channel:
      { config: AggregatorConfig; provider: AggregatorProvider } | undefined,
    private readonly notifyUrl: () => string,
  ) {}

  async start(orderNo: string, access: Access): Promise<JumpOutResponse> {
    if (!this.channel)
      throw new ApiFailure(
        403,
        'CHANNEL_UNAVAILABLE',
        'the jump-out channel is off: AGGREGATOR_PROVIDER is not configured',
      );
    let row = await this.records.get(orderNo);
    // The order's token (its creator) or its payer's session, as for reading it.
    this.records.assertViewer(row, access);
    // Partner mode: a sub-merchant disabled since the order was made takes no more money.
    this.ctx.subMerchants.assertPayable(row.sub_mchid);
    row = await bindChannel(this.ctx, this.records, row, 'aggregator');
    const { config, provider } = this.channel;
    return {
      appId: config.appId,
      path: config.path ?? '',
      extraData: provider.buildExtraData(
        { orderNo: row.order_no, total: row.total, description: row.description },
        this.notifyUrl(),
      ),
      envVersion: 'release',
    };
  }
}
