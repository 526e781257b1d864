/**
 * The jump-out channel's port: an aggregator whose cashier mini program takes the payment and
 * then notifies us. A provider is one aggregator's wire (how extraData is built and signed, how
 * its notification reads and is answered); the services never see more than this interface, so
 * a second aggregator is a second file beside md5-sorted.ts.
 */

/** What a provider needs of an order to ask for its payment (amount from the stored order). */
export interface AggregatorOrder {
  orderNo: string;
  /** Fen. */
  total: number;
  description: string;
}

/** A payment the aggregator vouched for in a notification whose signature verified. */
export interface AggregatorPayment {
  /** The aggregator's own id of the payment: the notification's dedupe key. */
  paymentId: string;
  orderNo: string;
  /** Fen. */
  total: number;
  /** The merchant account the aggregator says it paid. */
  mchId: string;
  /** False when the notification reports anything but a success. */
  succeeded: boolean;
  /** WeChat's transaction id, when the aggregator passes it on. */
  transactionId: string | null;
  /** When it was paid (ms), if the notification says so legibly. */
  paidAt: number | null;
}

/** A notification refused before it touches anything: the status tells the aggregator to retry. */
export class AggregatorRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AggregatorAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface AggregatorProvider {
  readonly name: string;
  /** The content types its notifications arrive in (the route keeps those bodies raw). */
  readonly notifyContentTypes: readonly string[];
  /** The signed `extraData` for wx.navigateToMiniProgram to the aggregator's cashier. */
  buildExtraData(order: AggregatorOrder, notifyUrl: string): Record<string, string>;
  /** Verifies and reads a notification; throws AggregatorRefusal (with its status) otherwise. */
  readNotification(raw: Buffer, contentType: string | undefined): AggregatorPayment;
  /** The answer that stops the aggregator's retries. */
  ack(): AggregatorAnswer;
  /** Any other answer: the aggregator retries it. */
  refusal(status: number, message: string): AggregatorAnswer;
}
