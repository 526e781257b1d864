/**
 * Jest transform: ts-jest, plus one thing for the plugin's own modules (plugin/** and its
 * builds): a module-local `wx` bound to the emulator's plugin `wx` (dev/emulator/
 * plugin-scope.ts), as WeChat gives a plugin a `wx` of its own. Written on the "use strict"
 * line, so line numbers and source maps are unchanged.
 */
const path = require('node:path');
const { TsJestTransformer } = require('ts-jest');

const ROOT = path.join(__dirname, '..', '..');
/** The plugin's sources, its build, and the release build the build check makes. */
const PLUGIN_DIRS = [
  path.join(ROOT, 'plugin'),
  path.join(ROOT, 'dist', 'plugin'),
  path.join(ROOT, '.cache', 'release-dist', 'plugin'),
].map((dir) => dir + path.sep);
const SCOPE = path.join(__dirname, '..', '..', 'dev', 'emulator', 'plugin-scope');

class PluginScopeTransformer extends TsJestTransformer {
  process(source, file, options) {
    const out = super.process(source, file, options);
    if (!PLUGIN_DIRS.some((dir) => file.startsWith(dir))) return out;
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
