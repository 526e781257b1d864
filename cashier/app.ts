/*
 * The merchant's own cashier mini program: opened by the shop (or the plugin's page) as a
 * half-screen mini program, it pays one order under its own AppID. Everything it needs comes
 * from how it was opened (wx.getEnterOptionsSync / wx.onAppShow), which its page reads itself:
 * the App has nothing to keep.
 */
App({});
