/** 简体中文：默认语言。语气和用词参照微信支付与 WeUI 的页面。 */
import type { ShopMessages } from './type';

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

export const zh: ShopMessages = {
  locale: 'zh',
  words: {
    confirm: {
      loading: '正在准备订单…',
      loadingLabel: '正在加载订单',
      emptyTitle: '购物车是空的',
      emptyText: '先去挑选商品，再回来付款。',
      errorTitle: '订单加载失败',
      retry: '重试',
      retryLabel: '重新加载订单',
      payWithin: '剩余支付时间',
      expired: '订单已超时',
      orderAgain: '重新下单',
      orderAgainLabel: '用相同的商品重新下单',
      items: '商品',
      itemsLabel: '订单中的商品',
      goods: '商品金额',
      shipping: '运费',
      discount: '优惠',
      amountDue: '应付金额',
      remark: '备注',
      optional: '（选填）',
      remarkPlaceholder: '选填，给商家的留言',
      noRemark: '无',
      saving: '保存中… ',
      orderNo: '订单编号',
      total: '合计',
      payWith: '支付方式',
      channelPlugin: '微信支付',
      channelHalfScreen: '在本店收银台支付',
      channelHalfScreenHint: '在半屏打开本店收银台，用微信支付付款',
      halfScreenPay: '去收银台支付',
      channelJumpOut: '在收银台小程序支付',
      channelJumpOutHint: '将打开收银台小程序完成付款',
      jumpOutPay: '去收银台支付',
      jumpOutPreparing: '正在准备收银台…',
    },
    result: {
      errorTitle: '无法查询订单状态',
      retry: '重试',
      retryLabel: '重新查询支付结果',
      amount: '支付金额',
      orderNo: '订单编号',
      paidAt: '支付时间',
      payBefore: '支付截止',
      detailsLabel: '订单详情',
      shipping: '运费',
      discount: '优惠',
      viewOrder: '查看订单',
      hideOrder: '收起订单',
      viewOrderLabel: '查看订单详情',
      hideOrderLabel: '收起订单详情',
      backToShop: '返回商城',
      backToShopLabel: '返回商城首页',
      payAgain: '重新支付',
      refresh: '刷新',
    },
  },
  titles: { confirm: '确认订单', result: '支付结果' },
  api: {
    VALIDATION_ERROR: '订单信息有误，请返回重新下单。',
    UNAUTHORIZED: '登录已失效，请重试。',
    FORBIDDEN: '该订单属于其他微信账号。',
    NOT_FOUND: '订单不存在。',
    ORDER_NOT_PAYABLE: '该订单已无法支付。',
    IDEMPOTENCY_CONFLICT: '订单内容有变化，请重新下单。',
    REFUND_IN_PROGRESS: '退款处理中，请稍后再试。',
    SUB_MERCHANT_UNAVAILABLE: '该商家暂不支持收款，请联系商家。',
    CHANNEL_CONFLICT: '该订单已在用其他方式支付，请在原支付方式中完成。',
    CHANNEL_UNAVAILABLE: '商城暂不支持该支付方式。',
    PAYLOAD_TOO_LARGE: '订单内容过多，请减少商品后重试。',
    UNSUPPORTED_MEDIA_TYPE: '商城暂时无法处理，请稍后再试。',
    RATE_LIMITED: '操作太频繁，请稍后再试。',
    LOGIN_FAILED: '微信登录失败，请重试。',
    UPSTREAM_ERROR: '微信支付暂时无响应，请稍后再试。',
    INTERNAL: '商城暂时无法处理，请稍后再试。',
  },
  transport: {
    network: '无法连接商城，请检查网络后重试。',
    timeout: '商城响应超时，请重试。',
    malformed: '商城返回的数据无法读取，请重试。',
    unexpected: '出了点问题，请重试。',
  },
  input(problem) {
    switch (problem.kind) {
      case 'not-an-order-link':
        return '链接中没有有效的订单号。';
      case 'not-an-item':
        return `“${problem.part}”不是有效的商品（格式：商品编号:数量）。`;
      case 'quantity-too-small':
        return `${problem.sku} 的数量至少为 1。`;
      case 'quantity-too-large':
        return `${problem.sku} 的数量应为 1 到 ${problem.max}。`;
      case 'too-many-lines':
        return `每笔订单最多 ${problem.max} 种商品。`;
    }
  },
  states: {
    paid: { title: '支付成功', hint: '感谢购买，订单已确认。' },
    unpaid: { title: '订单未支付', hint: '订单会保留到超时关闭，可以重新支付。' },
    expired: { title: '订单已关闭', hint: '订单超时未支付已关闭，没有扣款。' },
    confirming: { title: '正在确认支付结果…', hint: '正在向微信支付查询，通常只需几秒。' },
    'still-confirming': {
      title: '支付结果确认中',
      hint: '微信支付尚未确认这笔付款。如已付款，结果稍后会更新，不会重复扣款。',
    },
  },
  refundedHint: (amount) => `本笔付款已退款 ${amount}。`,
  payment: {
    devtools: '请在手机上支付：微信开发者工具无法完成支付。',
    notPayable: '支付失败：该订单已无法支付。',
    forbidden: '支付失败：该订单属于其他微信账号。',
    rateLimited: '支付失败：操作太频繁，请稍后再试。',
    timeout: '支付失败：商城响应超时，请重试。',
    network: '支付失败：无法连接商城，请检查网络后重试。',
    login: '支付失败：微信登录失败，请重试。',
    channelConflict: '该订单已选择在收银台小程序支付，请在收银台付款。',
    other: (reason) => `支付失败：${reason}`,
    unknownReason: '未知错误',
  },
  toastMaxLength: 32,
  remarkNotSaved: (reason) => `备注未保存：${reason}`,
  // showModal shows at most 4 characters per button.
  giveUp: {
    title: '确定放弃支付？',
    content: '订单会保留到超时关闭，你可以稍后再付款。',
    confirm: '放弃',
    cancel: '继续支付',
  },
  jumpOut: {
    notReady: '收银台正在准备，请稍后再点。',
    failed: (reason) => `无法打开收银台：${reason}`,
  },
  returned: {
    confirming: '正在等待收银台确认付款，通常只需几秒。',
    unpaid: '商城没有收到收银台的付款确认。如已付款，结果稍后会更新，不会重复扣款。',
  },
  jumpOutLabel: (price) => `在收银台小程序支付${price}`,
  halfScreenLabel: (price) => `在本店收银台支付${price}`,
  free: '免运费',
  spokenPrice: (yuan) => `${yuan}元`,
  spokenDuration(minutes, seconds) {
    if (minutes > 0 && seconds > 0) return `${minutes}分${seconds}秒`;
    return minutes > 0 ? `${minutes}分钟` : `${seconds}秒`;
  },
  payWithinLabel: (duration) => `剩余支付时间${duration}`,
  expiredLabel: '订单已超时',
  lineLabel: (l) => `${l.name}，${l.spec}，单价${l.unitPrice}，数量${l.quantity}`,
  amountDueLabel: (price) => `应付金额${price}`,
  amountLabel: (price) => `支付金额${price}`,
  remarkLabel: (max) => `给商家的备注，最多${max}个字`,
  remarkCounterLabel: (used, max) => `已输入${used}个字，最多${max}个字`,
  payAgainLabel: (orderNo) => `重新支付订单${orderNo}`,
  // As WeChat Pay's own bills write it: 2026年12月3日 18:14:05.
  dateTime: (d) =>
    `${d.year}年${d.month}月${d.day}日 ${two(d.hour)}:${two(d.minute)}:${two(d.second)}`,
};
