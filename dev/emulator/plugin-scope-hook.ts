/**
 * Outside Jest (npm start, scripts under tsx), the same rule as test/setup/plugin-scope-
 * transform.js: a module of the plugin (plugin/ or a built dist/plugin/) is compiled with a
 * module-local `wx` bound to the emulator's plugin wx, so it never sees the host's. Node's own
 * loader is hooked; Jest has its own module system and uses the transform instead.
 */
import Module from 'node:module';
import path from 'node:path';
import { ROOT } from '../dist';

/** The plugin's sources, its build, and the release build the build check makes. */
const PLUGIN_DIRS = [
  path.join(ROOT, 'plugin'),
  path.join(ROOT, 'dist', 'plugin'),
  path.join(ROOT, '.cache', 'release-dist', 'plugin'),
].map((dir) => dir + path.sep);
const SCOPE = path.join(__dirname, 'plugin-scope');

type Compile = (this: unknown, content: string, filename: string) => unknown;
let installed = false;

export function installPluginScopeHook(): void {
  if (installed) return;
  installed = true;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (content: string, filename: string) {
    if (!PLUGIN_DIRS.some((dir) => filename.startsWith(dir))) {
      return compile.call(this, content, filename);
    }
    const binding = `var wx = require(${JSON.stringify(SCOPE)}).pluginWx;`;
    const scoped = /^"use strict";/m.test(content)
      ? content.replace(/^"use strict";/m, `"use strict";${binding}`)
      : `${binding}${content}`;
    return compile.call(this, scoped, filename);
  };
}
