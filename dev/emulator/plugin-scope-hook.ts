/**
 * Outside Jest (npm start, scripts under tsx), the same rule as test/setup/plugin-scope-
 * transform.js: a module of the plugin (plugin/ or a built dist/plugin/) is compiled with a
 * module-local `wx` bound to the emulator's plugin wx, so it never sees the host's; a module of
 * the cashier mini program (cashier/) with the cashier's. Node's own
 * loader is hooked; Jest has its own module system and uses the transform instead.
 */
import Module from 'node:module';
import path from 'node:path';
import { ROOT } from '../dist';

/** Each scope's sources, its build, and the release build the build check makes. */
const dirsOf = (name: string): string[] =>
  [
    path.join(ROOT, name),
    path.join(ROOT, 'dist', name),
    path.join(ROOT, '.cache', 'release-dist', name),
  ].map((dir) => dir + path.sep);
const SCOPES = [
  { dirs: dirsOf('plugin'), exported: 'pluginWx' },
  { dirs: dirsOf('cashier'), exported: 'cashierWx' },
];
const SCOPE = path.join(__dirname, 'plugin-scope');

type Compile = (this: unknown, content: string, filename: string) => unknown;
let installed = false;

export function installPluginScopeHook(): void {
  if (installed) return;
  installed = true;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (content: string, filename: string) {
    const scope = SCOPES.find(({ dirs }) => dirs.some((dir) => filename.startsWith(dir)));
    if (!scope) return compile.call(this, content, filename);
    const binding = `var wx = require(${JSON.stringify(SCOPE)}).${scope.exported};`;
    const scoped = /^"use strict";/m.test(content)
      ? content.replace(/^"use strict";/m, `"use strict";${binding}`)
      : `${binding}${content}`;
    return compile.call(this, scoped, filename);
  };
}
