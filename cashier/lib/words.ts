/**
 * The cashier's words, in WeChat's language (zh by default: our shoppers read Chinese). The
 * server's error codes get a sentence each; anything else a general one, never the raw error.
 */
import type { ApiErrorCode } from '../../typings';

export interface CashierWords {
  title: string;
  amount: string;
  orderNo: string;
  loading: string;
  pay: string;
  paying: string;
  confirming: string;
  paid: string;
  paidHint: string;
  stillConfirming: string;
  cancelled: string;
  failed: string;
  closed: string;
  back: string;
  retry: string;
  noOrder: string;
  notFromShop: string;
  tooOld: string;
  loginFailed: string;
  network: string;
  general: string;
  codes: Partial<Record<ApiErrorCode, string>>;
}

const zh: CashierWords = {
  title: '收银台',
  amount: '支付金额',
  orderNo: '订单号',
  loading: '正在读取订单…',
  pay: '微信支付',
  paying: '正在支付…',
  confirming: '正在确认支付结果…',
  paid: '支付成功',
  paidHint: '商家已收到付款，可返回商家查看订单',
  stillConfirming: '支付结果确认中，请返回商家查看订单状态',
  cancelled: '已取消支付，可再次支付',
  failed: '支付未完成，请重试',
  closed: '订单已关闭，无法支付',
  back: '返回商家',
  retry: '重试',
  noOrder: '没有要支付的订单，请从商家小程序发起支付',
  notFromShop: '请回到商家小程序查看订单',
  tooOld: '当前微信版本过低，请升级微信后重试',
  loginFailed: '登录失败，请重试',
  network: '网络不给力，请检查网络后重试',
  general: '暂时无法完成支付，请稍后重试',
  codes: {
    NOT_FOUND: '找不到该订单',
    FORBIDDEN: '无权支付该订单，请从商家小程序重新发起支付',
    ORDER_NOT_PAYABLE: '订单已支付或已关闭',
    CHANNEL_CONFLICT: '该订单已在商家小程序中发起支付，请返回原页面完成支付',
    LOGIN_FAILED: '登录失败，请重试',
    RATE_LIMITED: '操作太频繁，请稍后再试',
    UPSTREAM_ERROR: '微信支付暂时不可用，请稍后重试',
  },
};

const en: CashierWords = {
  title: 'Checkout',
  amount: 'Amount',
  orderNo: 'Order No.',
  loading: 'Loading the order…',
  pay: 'Pay with WeChat Pay',
  paying: 'Paying…',
  confirming: 'Confirming the payment…',
  paid: 'Paid',
  paidHint: 'The merchant has your payment. Go back to see your order.',
  stillConfirming: 'Still confirming. Go back to the merchant to see the order status.',
  cancelled: 'Payment cancelled. You can pay again.',
  failed: 'The payment did not go through. Please try again.',
  closed: 'This order is closed and cannot be paid.',
  back: 'Back to merchant',
  retry: 'Retry',
  noOrder: 'No order to pay. Please start the payment in the merchant mini program.',
  notFromShop: 'Please go back to the merchant mini program to see the order.',
  tooOld: 'This WeChat version is too old. Please update WeChat and try again.',
  loginFailed: 'Sign-in failed. Please try again.',
  network: 'The network is not available. Please check it and try again.',
  general: 'The payment cannot be completed right now. Please try again later.',
  codes: {
    NOT_FOUND: 'Order not found.',
    FORBIDDEN: 'You cannot pay this order. Please start again in the merchant mini program.',
    ORDER_NOT_PAYABLE: 'This order is already paid or closed.',
    CHANNEL_CONFLICT:
      'This order is being paid in the merchant mini program. Please finish paying there.',
    LOGIN_FAILED: 'Sign-in failed. Please try again.',
    RATE_LIMITED: 'Too many attempts. Please wait a moment.',
    UPSTREAM_ERROR: 'WeChat Pay is not available right now. Please try again later.',
  },
};

/** WeChat's language (getAppBaseInfo, 2.20.1+; older base libraries: zh). */
export function currentWords(): CashierWords {
  try {
    const language = String(
      (typeof wx.getAppBaseInfo === 'function' ? wx.getAppBaseInfo().language : '') || 'zh_CN',
    );
    return /^zh/i.test(language) ? zh : en;
  } catch {
    return zh;
  }
}
