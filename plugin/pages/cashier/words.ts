/**
 * The cashier page's words. Kept beside the page, not in ../../messages: the pay-button loads
 * that module on every host page, and these words are only needed when a host opens this page.
 */
import type { ButtonLocale } from '../../messages';
import { buttonLocaleOf, wechatLanguage } from '../../messages';

/** The cashier page's words (pages/cashier): the order, the half-screen button, what happened. */
export interface PageMessages {
  loading: string;
  invalid: string;
  error: string;
  retry: string;
  orderNo: string;
  amount: string;
  pay: string;
  back: string;
  pending: string;
  paid: string;
  closed: string;
  refunded: string;
  noCashier: string;
  tooOld: string;
  openFailed: string;
}

const PAGE_MESSAGES: Readonly<Record<ButtonLocale, PageMessages>> = {
  zh: {
    loading: '正在读取订单…',
    invalid: '订单信息有误，请返回重新下单',
    error: '暂时无法读取订单',
    retry: '重试',
    orderNo: '订单号',
    amount: '应付金额',
    pay: '去收银台支付',
    back: '返回',
    pending: '尚未支付',
    paid: '支付成功',
    closed: '订单已关闭',
    refunded: '订单已退款',
    noCashier: '商家暂未开通收银台支付',
    tooOld: '微信版本过低，无法打开收银台，请升级微信后再试',
    openFailed: '无法打开收银台',
  },
  en: {
    loading: 'Loading the order…',
    invalid: 'This order link is not valid: go back and order again',
    error: 'Cannot load the order right now',
    retry: 'Retry',
    orderNo: 'Order',
    amount: 'Amount due',
    pay: 'Pay at the checkout',
    back: 'Back',
    pending: 'Not paid yet',
    paid: 'Paid',
    closed: 'Order closed',
    refunded: 'Order refunded',
    noCashier: 'The shop does not offer its checkout yet',
    tooOld: 'This WeChat version is too old to open the checkout: update WeChat and try again',
    openFailed: 'Cannot open the checkout',
  },
};

export function currentPageMessages(): PageMessages {
  return PAGE_MESSAGES[buttonLocaleOf(wechatLanguage())];
}
