/** English, for phones whose WeChat language is English. */
import type { ShopMessages } from './type';

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

export const en: ShopMessages = {
  locale: 'en',
  words: {
    confirm: {
      loading: 'Preparing your order…',
      loadingLabel: 'Loading your order',
      emptyTitle: 'Your cart is empty',
      emptyText: 'Add something to your cart, then come back to pay.',
      errorTitle: 'We could not load your order',
      retry: 'Try again',
      retryLabel: 'Try loading the order again',
      payWithin: 'Pay within',
      expired: 'This order has expired',
      orderAgain: 'Order again',
      orderAgainLabel: 'Place this order again',
      items: 'Items',
      itemsLabel: 'Items in this order',
      goods: 'Goods',
      shipping: 'Shipping',
      discount: 'Discount',
      amountDue: 'Amount due',
      remark: 'Remark',
      optional: ' (optional)',
      remarkPlaceholder: 'Anything we should know?',
      noRemark: 'None',
      saving: 'Saving… ',
      orderNo: 'Order number',
      total: 'Total',
      payWith: 'Pay with',
      channelPlugin: 'WeChat Pay',
      channelHalfScreen: 'Pay in our checkout',
      channelHalfScreenHint: 'Opens our checkout in a half screen to pay with WeChat Pay',
      halfScreenPay: 'Go to checkout',
      channelJumpOut: 'Pay in the cashier mini program',
      channelJumpOutHint: 'Opens the cashier mini program to pay',
      jumpOutPay: 'Go to the cashier',
      jumpOutPreparing: 'Preparing the cashier…',
    },
    result: {
      errorTitle: 'We could not check this order',
      retry: 'Try again',
      retryLabel: 'Check the payment again',
      amount: 'Amount',
      orderNo: 'Order number',
      paidAt: 'Paid at',
      payBefore: 'Pay before',
      detailsLabel: 'Order details',
      shipping: 'Shipping',
      discount: 'Discount',
      viewOrder: 'View order',
      hideOrder: 'Hide order',
      viewOrderLabel: 'View order details',
      hideOrderLabel: 'Hide order details',
      backToShop: 'Back to shop',
      backToShopLabel: 'Back to the shop',
      payAgain: 'Pay again',
      refresh: 'Refresh',
    },
  },
  titles: { confirm: 'Confirm order', result: 'Payment result' },
  api: {
    VALIDATION_ERROR: 'The order was not accepted. Please go back and try again.',
    UNAUTHORIZED: 'WeChat sign-in failed. Please try again.',
    FORBIDDEN: 'This order belongs to another WeChat account.',
    NOT_FOUND: 'This order does not exist.',
    ORDER_NOT_PAYABLE: 'This order can no longer be paid.',
    IDEMPOTENCY_CONFLICT: 'This order changed meanwhile. Please start again.',
    REFUND_IN_PROGRESS: 'A refund is still being processed. Please try again later.',
    SUB_MERCHANT_UNAVAILABLE: 'This shop cannot take payments right now. Please contact the shop.',
    CHANNEL_CONFLICT: 'This order is already being paid another way. Please finish paying there.',
    CHANNEL_UNAVAILABLE: 'The shop does not take this way of paying.',
    PAYLOAD_TOO_LARGE: 'The order is too large. Remove some items and try again.',
    UNSUPPORTED_MEDIA_TYPE: 'The shop could not handle this right now. Please try again.',
    RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
    LOGIN_FAILED: 'WeChat sign-in failed. Please try again.',
    UPSTREAM_ERROR: 'WeChat Pay is not answering right now. Please try again.',
    INTERNAL: 'The shop could not handle this right now. Please try again.',
  },
  transport: {
    network: 'Cannot reach the shop. Check your connection and try again.',
    timeout: 'The shop is taking too long to answer. Please try again.',
    malformed: 'The shop sent an answer we could not read. Please try again.',
    unexpected: 'Something went wrong. Please try again.',
  },
  input(problem) {
    switch (problem.kind) {
      case 'not-an-order-link':
        return 'This link does not name an order.';
      case 'not-an-item':
        return `"${problem.part}" is not an item (expected SKU:QUANTITY).`;
      case 'quantity-too-small':
        return `The quantity of ${problem.sku} must be at least 1.`;
      case 'quantity-too-large':
        return `The quantity of ${problem.sku} must be 1 to ${problem.max}.`;
      case 'too-many-lines':
        return `At most ${problem.max} items per order.`;
    }
  },
  states: {
    paid: { title: 'Payment successful', hint: 'Thank you. Your order is confirmed.' },
    unpaid: {
      title: 'Not paid yet',
      hint: 'Your order is kept until it expires. You can pay again.',
    },
    expired: {
      title: 'Order closed',
      hint: 'This order expired before it was paid. Nothing was charged.',
    },
    confirming: {
      title: 'Confirming payment…',
      hint: 'Checking with WeChat Pay. This usually takes a few seconds.',
    },
    'still-confirming': {
      title: 'Still confirming',
      hint: 'WeChat Pay has not confirmed this payment yet. If you paid, it will show up shortly; nothing is charged twice.',
    },
  },
  refundedHint: (amount) => `${amount} of this payment has been refunded.`,
  payment: {
    devtools: 'Payments need a real device: WeChat DevTools cannot run them.',
    notPayable: 'Payment failed: this order can no longer be paid.',
    forbidden: 'Payment failed: this order belongs to another WeChat account.',
    rateLimited: 'Payment failed: too many attempts. Please wait a moment.',
    timeout: 'Payment failed: the shop took too long to answer. Please try again.',
    network: 'Payment failed: cannot reach the shop. Check your connection and try again.',
    login: 'Payment failed: WeChat sign-in failed. Please try again.',
    channelConflict: 'This order is set to be paid in the cashier mini program. Please pay there.',
    other: (reason) => `Payment failed: ${reason}`,
    unknownReason: 'unknown error',
  },
  toastMaxLength: 60,
  remarkNotSaved: (reason) => `Remark not saved. ${reason}`,
  // showModal shows at most 4 characters per button.
  giveUp: {
    title: 'Give up payment?',
    content: 'Your order is kept until it expires; you can pay later.',
    confirm: 'Quit',
    cancel: 'Stay',
  },
  jumpOut: {
    notReady: 'The cashier is still being prepared. Tap again in a moment.',
    failed: (reason) => `Could not open the cashier: ${reason}`,
  },
  returned: {
    confirming: 'Waiting for the cashier to confirm the payment. This usually takes a few seconds.',
    unpaid:
      'The shop has not heard from the cashier about a payment. If you paid, it will show up shortly; nothing is charged twice.',
  },
  jumpOutLabel: (price) => `Pay ${price} in the cashier mini program`,
  halfScreenLabel: (price) => `Pay ${price} in our checkout`,
  free: 'Free',
  spokenPrice: (yuan) => `${yuan} yuan`,
  spokenDuration(minutes, seconds) {
    const parts: string[] = [];
    if (minutes > 0) parts.push(plural(minutes, 'minute'));
    if (seconds > 0 || minutes === 0) parts.push(plural(seconds, 'second'));
    return parts.join(' ');
  },
  payWithinLabel: (duration) => `Pay within ${duration}`,
  expiredLabel: 'This order has expired',
  lineLabel: (l) => `${l.name}, ${l.spec}, ${l.unitPrice} each, quantity ${l.quantity}`,
  amountDueLabel: (price) => `Amount due ${price}`,
  amountLabel: (price) => `Amount ${price}`,
  remarkLabel: (max) => `Remark for the seller, up to ${max} characters`,
  remarkCounterLabel: (used, max) => `${used} of ${max} characters used`,
  payAgainLabel: (orderNo) => `Pay for order ${orderNo} again`,
  dateTime: (d) =>
    `${d.day} ${MONTHS[d.month - 1] ?? ''} ${d.year}, ${two(d.hour)}:${two(d.minute)}:${two(d.second)}`,
};
