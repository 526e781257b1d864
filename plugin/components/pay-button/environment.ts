/** What the running WeChat client can do, asked defensively: a throw here must not break the button. */

export function isDevTools(): boolean {
  try {
    const info =
      typeof wx.getDeviceInfo === 'function' ? wx.getDeviceInfo() : wx.getSystemInfoSync();
    return info.platform === 'devtools';
  } catch {
    return false;
  }
}

/** Base library 2.22.1+: pay without the navigator (the navigator route is being retired). */
export function canRequestPluginPayment(): boolean {
  try {
    return typeof wx.requestPluginPayment === 'function' && wx.canIUse('requestPluginPayment');
  } catch {
    return false;
  }
}
