/**
 * The pay-button's words, per language. A plugin reads WeChat's language from its own `wx`
 * (`getAppBaseInfo` is granted to plugins from base library 2.21.3; `getSystemInfoSync` before),
 * never from the host: Chinese by default, English on an English WeChat. A host that passes its
 * own `label` speaks for itself.
 */
export type ButtonLocale = 'zh' | 'en';

export interface ButtonMessages {
  /** The verb before the amount, and of the accessible label: `支付 ¥12.34`. */
  label: string;
  /** Added to the accessible label per state. */
  busy: string;
  disabled: string;
  /** Shown under a button that cannot pay (the developer's reason goes to the console). */
  unavailable: string;
  /** The accessible label of such a button. */
  unavailableLabel(label: string): string;
  devtoolsTitle: string;
  devtoolsNotice: string;
  sandboxNotice: string;
}

export const BUTTON_MESSAGES: Readonly<Record<ButtonLocale, ButtonMessages>> = {
  zh: {
    label: '支付',
    busy: '，正在支付',
    disabled: '，暂不可用',
    unavailable: '暂时无法支付',
    unavailableLabel: (label) => `${label}，暂时无法支付`,
    devtoolsTitle: '请在手机上支付',
    devtoolsNotice:
      '插件支付需要真机：微信开发者工具无法打开支付功能页。请用手机预览开发版后支付。',
    sandboxNotice:
      '微信开发者工具：开发版在本地沙箱中支付（不会真实扣款），手机上运行真实的支付功能页。',
  },
  en: {
    label: 'Pay',
    busy: ': payment in progress',
    disabled: ': unavailable',
    unavailable: 'Payment unavailable',
    unavailableLabel: (label) => `${label}: payment unavailable`,
    devtoolsTitle: 'Real device needed',
    devtoolsNotice:
      'Plugin payment needs a real device: WeChat DevTools cannot open the payment functional page. Preview the develop version on a phone.',
    sandboxNotice:
      'WeChat DevTools: this development build pays at the local sandbox (no real payment). A phone runs the real functional page.',
  },
};

/** `en`, `en_US`, … → English; anything else, including nothing, → Chinese. */
export function buttonLocaleOf(language: unknown): ButtonLocale {
  return typeof language === 'string' && /^en(?:[-_]|$)/i.test(language) ? 'en' : 'zh';
}

/** The plugin's own WeChat language (plugins get getAppBaseInfo from 2.21.3); never throws. */
export function wechatLanguage(): unknown {
  try {
    if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().language;
    return wx.getSystemInfoSync().language;
  } catch {
    return undefined;
  }
}

/** The words for the language of the `wx` this plugin runs with. */
export function currentButtonMessages(): ButtonMessages {
  return BUTTON_MESSAGES[buttonLocaleOf(wechatLanguage())];
}
