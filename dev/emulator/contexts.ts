/**
 * Which `wx` each WeChat context gets, API by API, as WeChat documents it. Every API the
 * emulator implements has a row here; `wxFor` removes what a context may not have, so code
 * that relies on an API WeChat withholds fails here as it would on a phone. The source of each
 * row is the API's own documentation page ("小程序插件：支持，需要小程序基础库版本不低于 X" /
 * "小程序插件：不支持", and "基础库 X 开始支持"); the old plugin API-limit table is no longer
 * maintained and is not used.
 */

/**
 * `host`: a page of the mini program that embeds the plugin. `plugin`: the plugin's components,
 * pages and main, inside that host. `functional-page`: the owner app's `functional-pages/`,
 * where WeChat runs `beforeRequestPayment`.
 */
export type WxContext = 'host' | 'plugin' | 'functional-page';

export interface ApiRule {
  /** Base library version the API appeared in. */
  since: string;
  /** In a plugin: the base library it needs there, or false when plugins never get it. */
  plugin: string | false;
  /** A plugin may call it only from its own pages, not from a component on a host page. */
  pluginPagesOnly?: boolean;
  /** Present in a plugin but answers `fail` unless the user authorised the plugin first. */
  pluginNeedsAuthorization?: boolean;
  /** Only plugins get it ("插件中发起支付"); a host or owner page has no use for it. */
  pluginOnly?: boolean;
  /** Withheld from the payment functional page (it may not leave for another mini program). */
  notInFunctionalPages?: boolean;
  /** The documentation page the row rests on. */
  doc: string;
}

const DOC = 'https://developers.weixin.qq.com/miniprogram/dev/api';

/** The APIs the shop, the plugin and the functional page use, and who may call them. */
export const API_RULES: Readonly<Record<string, ApiRule>> = {
  // "小程序插件：支持，需要 2.3.1；在小程序插件中使用时，需要在用户信息功能页中获得用户授权或满足一定
  // 条件后调用。否则将返回 fail": present, and failing for a plugin like ours that never asks.
  login: {
    since: '1.0.0',
    plugin: '2.3.1',
    pluginNeedsAuthorization: true,
    doc: `${DOC}/open-api/login/wx.login.html`,
  },
  request: { since: '1.0.0', plugin: '1.9.6', doc: `${DOC}/network/request/wx.request.html` },
  requestPayment: {
    since: '1.0.0',
    plugin: false,
    doc: `${DOC}/payment/wx.requestPayment.html`,
  },
  requestPluginPayment: {
    since: '2.22.1',
    plugin: '2.22.1',
    pluginOnly: true,
    doc: `${DOC}/payment/wx.requestPluginPayment.html`,
  },
  canIUse: { since: '1.1.1', plugin: false, doc: `${DOC}/base/wx.canIUse.html` },
  getStorageSync: {
    since: '1.0.0',
    plugin: '1.9.6',
    doc: `${DOC}/storage/wx.getStorageSync.html`,
  },
  setStorageSync: {
    since: '1.0.0',
    plugin: '1.9.6',
    doc: `${DOC}/storage/wx.setStorageSync.html`,
  },
  removeStorageSync: {
    since: '1.0.0',
    plugin: '1.9.6',
    doc: `${DOC}/storage/wx.removeStorageSync.html`,
  },
  clearStorageSync: {
    since: '1.0.0',
    plugin: '1.9.6',
    doc: `${DOC}/storage/wx.clearStorageSync.html`,
  },
  navigateTo: {
    since: '1.0.0',
    plugin: '2.2.2',
    pluginPagesOnly: true,
    doc: `${DOC}/route/wx.navigateTo.html`,
  },
  redirectTo: {
    since: '1.0.0',
    plugin: '2.2.2',
    pluginPagesOnly: true,
    doc: `${DOC}/route/wx.redirectTo.html`,
  },
  reLaunch: {
    since: '1.1.0',
    plugin: '2.3.1',
    pluginPagesOnly: true,
    doc: `${DOC}/route/wx.reLaunch.html`,
  },
  // Not confirmed from its page: a plugin has no tab bar of its own, so it is withheld here.
  switchTab: { since: '1.0.0', plugin: false, doc: `${DOC}/route/wx.switchTab.html` },
  navigateBack: {
    since: '1.0.0',
    plugin: '2.1.0',
    pluginPagesOnly: true,
    doc: `${DOC}/route/wx.navigateBack.html`,
  },
  setNavigationBarTitle: {
    since: '1.0.0',
    plugin: '2.1.0',
    pluginPagesOnly: true,
    doc: `${DOC}/ui/navigation-bar/wx.setNavigationBarTitle.html`,
  },
  showToast: { since: '1.0.0', plugin: '1.9.6', doc: `${DOC}/ui/interaction/wx.showToast.html` },
  hideToast: { since: '1.0.0', plugin: '1.9.6', doc: `${DOC}/ui/interaction/wx.hideToast.html` },
  showLoading: {
    since: '1.1.0',
    plugin: '1.9.6',
    doc: `${DOC}/ui/interaction/wx.showLoading.html`,
  },
  hideLoading: {
    since: '1.1.0',
    plugin: '1.9.6',
    doc: `${DOC}/ui/interaction/wx.hideLoading.html`,
  },
  showModal: { since: '1.0.0', plugin: '1.9.6', doc: `${DOC}/ui/interaction/wx.showModal.html` },
  getSystemInfoSync: {
    since: '1.0.0',
    plugin: '1.9.6',
    doc: `${DOC}/base/system/wx.getSystemInfoSync.html`,
  },
  getWindowInfo: {
    since: '2.20.1',
    plugin: '2.21.3',
    doc: `${DOC}/base/system/wx.getWindowInfo.html`,
  },
  getDeviceInfo: {
    since: '2.20.1',
    plugin: '2.21.3',
    doc: `${DOC}/base/system/wx.getDeviceInfo.html`,
  },
  getAppBaseInfo: {
    since: '2.20.1',
    plugin: '2.21.3',
    doc: `${DOC}/base/system/wx.getAppBaseInfo.html`,
  },
  // Jumps ("需要页面权限": a plugin page may jump, a plugin component on a host page may not).
  navigateToMiniProgram: {
    since: '1.3.0',
    plugin: '2.18.1',
    pluginPagesOnly: true,
    notInFunctionalPages: true,
    doc: `${DOC}/navigate/wx.navigateToMiniProgram.html`,
  },
  openEmbeddedMiniProgram: {
    since: '2.20.1',
    plugin: '2.26.2',
    pluginPagesOnly: true,
    notInFunctionalPages: true,
    doc: `${DOC}/navigate/wx.openEmbeddedMiniProgram.html`,
  },
  navigateBackMiniProgram: {
    since: '1.3.0',
    plugin: false,
    doc: `${DOC}/navigate/wx.navigateBackMiniProgram.html`,
  },
  // App events: "小程序插件：不支持" on each page; a plugin cannot watch its host come and go.
  onAppShow: { since: '2.1.2', plugin: false, doc: `${DOC}/base/app/app-event/wx.onAppShow.html` },
  offAppShow: {
    since: '2.1.2',
    plugin: false,
    doc: `${DOC}/base/app/app-event/wx.offAppShow.html`,
  },
  onAppHide: { since: '2.1.2', plugin: false, doc: `${DOC}/base/app/app-event/wx.onAppHide.html` },
  offAppHide: {
    since: '2.1.2',
    plugin: false,
    doc: `${DOC}/base/app/app-event/wx.offAppHide.html`,
  },
  getEnterOptionsSync: {
    since: '2.9.4',
    plugin: '2.9.4',
    doc: `${DOC}/base/app/life-cycle/wx.getEnterOptionsSync.html`,
  },
  getAccountInfoSync: {
    since: '2.2.2',
    plugin: '2.2.2',
    doc: `${DOC}/open-api/account-info/wx.getAccountInfoSync.html`,
  },
  getLaunchOptionsSync: {
    since: '2.1.2',
    plugin: '2.9.4',
    doc: `${DOC}/base/app/life-cycle/wx.getLaunchOptionsSync.html`,
  },
};

/** The base library the emulator plays unless told otherwise: a current phone. */
export const DEFAULT_BASE_LIBRARY = '3.7.0';

/** -1, 0 or 1 as `a` is below, equal to or above `b` (dotted versions). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Whether `context` at `baseLibrary` has `api`; APIs without a row are never offered. */
export function hasApi(api: string, context: WxContext, baseLibrary: string): boolean {
  const rule = API_RULES[api];
  if (!rule) return false;
  if (compareVersions(baseLibrary, rule.since) < 0) return false;
  if (context === 'functional-page' && rule.notInFunctionalPages) return false;
  if (context !== 'plugin') return !rule.pluginOnly;
  return rule.plugin !== false && compareVersions(baseLibrary, rule.plugin) >= 0;
}

/** What WeChat answers a plugin component that calls a page-only API (routes, jumps). */
export function refusedInComponent(api: string): string {
  return `${api}:fail rejected due to no permission currently in plugin`;
}
