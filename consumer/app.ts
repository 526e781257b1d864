// A third-party host: a mini program of its own AppID that takes payment through the plugin.
App({});
