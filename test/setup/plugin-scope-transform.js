/**
 * Jest transform for TypeScript: ts-jest, plus one thing for the plugin's own modules
 * (plugin/**): a module-local `wx` bound to the emulator's plugin `wx` (dev/emulator/
 * plugin-scope.ts), as WeChat gives a plugin a `wx` of its own. Written on the "use strict"
 * line, so line numbers and source maps are unchanged.
 */
const path = require('node:path');
const { TsJestTransformer } = require('ts-jest');

const PLUGIN_DIR = path.join(__dirname, '..', '..', 'plugin') + path.sep;
const SCOPE = path.join(__dirname, '..', '..', 'dev', 'emulator', 'plugin-scope');

class PluginScopeTransformer extends TsJestTransformer {
  process(source, file, options) {
    const out = super.process(source, file, options);
    if (!file.startsWith(PLUGIN_DIR)) return out;
    const binding = `var wx = require(${JSON.stringify(SCOPE)}).pluginWx;`;
    const code = /^"use strict";/m.test(out.code)
      ? out.code.replace(/^"use strict";/m, `"use strict";${binding}`)
      : `${binding}${out.code}`;
    return { ...out, code };
  }

  getCacheKey(source, file, options) {
    return `${super.getCacheKey(source, file, options)}:plugin-scope-1`;
  }
}

module.exports = {
  createTransformer: (config) => new PluginScopeTransformer(config),
};
