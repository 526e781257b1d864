/**
 * Which language the shop speaks, and the message table for it. WeChat's own language setting
 * decides (`wx.getAppBaseInfo().language`, base library 2.20.1+; `getSystemInfoSync().language`
 * before): English when it is an English locale (`en`, `en_US`, …), Chinese otherwise, because
 * almost every shopper reads Chinese.
 */
import { en } from './en';
import type { Locale, ShopMessages } from './type';
import { zh } from './zh';

export type { InputProblem, Locale, ShopMessages, Words } from './type';

const TABLES: Record<Locale, ShopMessages> = { zh, en };

/** `en_US` → `en`; anything else, including nothing, → `zh`. */
export function localeOf(language: unknown): Locale {
  return typeof language === 'string' && /^en(?:[-_]|$)/i.test(language) ? 'en' : 'zh';
}

function wechatLanguage(): unknown {
  try {
    if (typeof wx.getAppBaseInfo === 'function') return wx.getAppBaseInfo().language;
    return wx.getSystemInfoSync().language;
  } catch {
    return undefined;
  }
}

/** The table for the phone's WeChat language; pages read it once, on load. */
export function currentMessages(): ShopMessages {
  return TABLES[localeOf(wechatLanguage())];
}

export function messagesFor(locale: Locale): ShopMessages {
  return TABLES[locale];
}
