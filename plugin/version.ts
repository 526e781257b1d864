/** Released plugin version; test/plugin checks it against package.json so the two never drift. */
export const PLUGIN_VERSION = '0.1.0';
