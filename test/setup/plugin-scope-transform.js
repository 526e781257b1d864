/**
 * Jest transform: ts-jest, plus one thing for code that runs with a `wx` other than the host
 * page's: the plugin's modules (plugin/** and its builds) get a module-local `wx` bound to the
 * emulator's plugin `wx`, the cashier mini program's (cashier/**) one bound to the cashier's
 * (dev/emulator/plugin-scope.ts), as WeChat gives each its own. Written on the "use strict"
 * line, so line numbers and source maps are unchanged.
 */
const path = require('node:path');
const { TsJestTransformer } = require('ts-jest');

const ROOT = path.join(__dirname, '..', '..');
/** Each scope's sources, its build, and the release build the build check makes. */
const dirsOf = (name) =>
  [
    path.join(ROOT, name),
    path.join(ROOT, 'dist', name),
    path.join(ROOT, '.cache', 'release-dist', name),
  ].map((dir) => dir + path.sep);
const SCOPES = [
  { dirs: dirsOf('plugin'), exported: 'pluginWx' },
  { dirs: dirsOf('cashier'), exported: 'cashierWx' },
];
const SCOPE = path.join(__dirname, '..', '..', 'dev', 'emulator', 'plugin-scope');

class PluginScopeTransformer extends TsJestTransformer {
  process(source, file, options) {
    const out = super.process(source, file, options);
    const scope = SCOPES.find(({ dirs }) => dirs.some((dir) => file.startsWith(dir)));
    if (!scope) return out;
    const binding = `var wx = require(${JSON.stringify(SCOPE)}).${scope.exported};`;
    const code = /^"use strict";/m.test(out.code)
      ? out.code.replace(/^"use strict";/m, `"use strict";${binding}`)
      : `${binding}${out.code}`;
    return { ...out, code };
  }

  getCacheKey(source, file, options) {
    return `${super.getCacheKey(source, file, options)}:plugin-scope-2`;
  }
}

module.exports = {
  createTransformer: (config) => new PluginScopeTransformer(config),
};
