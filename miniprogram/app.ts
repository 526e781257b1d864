// The shop app; also the plugin's owner app (see functional-pages/).
App({});
