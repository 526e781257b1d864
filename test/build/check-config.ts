/**
 * Checks every configuration file WeChat DevTools and the base library read, against the fields
 * WeChat documents (wechat-config.ts) and the rules that tie them together:
 *  1. every project.config.json (the root and devtools/*), every app.json (source and the build a
 *     project opens), plugin.json, and every page and component .json: no unknown field, no
 *     required field missing, no value of the wrong type (or outside the values WeChat lists);
 *  2. a plugin project has appid (a host's), pluginAppid (the plugin's), pluginRoot and
 *     miniprogramRoot; a mini program project has appid and miniprogramRoot; roots are relative
 *     and hold a built app.json / plugin.json; DevTools compiles nothing (useCompilerPlugins);
 *  3. AppIDs: appid, pluginAppid and every plugins.*.provider are AppIDs; every provider is this
 *     repository's plugin; the owner app (it ships functional pages) has the plugin's AppID, and
 *     no host (the plugin project's, the consumer) does;
 *  4. plugins.*.version is "dev" or a released x.y.z, and "dev" only in a plugin project;
 *  5. usingComponents entries resolve (a path with its .json and script, or plugin://<alias>/<name>
 *     with the alias declared in app.json and the name in plugin.json publicComponents); a page
 *     built with Component() has "component": true and a usingComponents section; every custom
 *     component has "component": true; and no page or component json is left that nothing
 *     reaches (it would be checked by nothing, and is usually a page missing from "pages").
 * Returns a list of problems (empty = good), each naming its file relative to the checked folder,
 * so tests can plant one fault in a copy and see exactly that problem.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  APPID,
  APP_JSON,
  COMPONENT_JSON,
  PAGE_JSON,
  PLUGIN_JSON,
  PROJECT_CONFIG,
  RELEASED_VERSION,
  type Table,
} from './wechat-config';

type Json = Record<string, unknown>;

/** The source roots, checked as they are (the built ones are reached through the projects). */
const SOURCE_APPS = ['miniprogram', 'consumer', 'cashier'];
const SOURCE_PLUGIN = 'plugin';
/** Where the DevTools projects other than the root's live, one folder each. */
export const DEVTOOLS_DIR = 'devtools';

/** What a plugin project must name, and why (devtools/plugin.html). */
const PLUGIN_PROJECT_NEEDS: Readonly<Record<string, string>> = {
  appid: "the host mini program's AppID",
  pluginAppid: "the plugin's AppID, required since DevTools 1.05.2111051",
  pluginRoot: "the plugin's built folder",
  miniprogramRoot: 'the host app DevTools tries the plugin in',
};
const MINIPROGRAM_PROJECT_NEEDS: Readonly<Record<string, string>> = {
  appid: "the mini program's AppID",
  miniprogramRoot: 'its build in dist/',
};

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function matches(type: string, value: unknown): boolean {
  switch (type) {
    case 'false':
      return value === false;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object[]':
      return Array.isArray(value) && value.every((v) => typeName(v) === 'object');
    default:
      return typeName(value) === type;
  }
}

function describe(value: unknown): string {
  const type = typeName(value);
  return type === 'string' || type === 'number' || type === 'boolean'
    ? `${type} ${JSON.stringify(value)}`
    : type;
}

function isObject(value: unknown): value is Json {
  return typeName(value) === 'object';
}

/**
 * theme.json's two palettes (framework/ability/darkmode.html): with app.json `darkmode: true`
 * and `themeLocation`, a window field may say "@name" and take the value from each palette.
 */
export interface Theme {
  light: Json;
  dark: Json;
}

/** A "@name" value: defined in both palettes, and each of its values allowed. */
function themed(v: string, name: string, field: Table['fields'][string], label: string, theme?: Theme) {
  if (!theme) {
    return [
      `${label}: "${name}" is the theme variable ${v}, but the app has no theme.json (app.json darkmode and themeLocation)`,
    ];
  }
  const variable = v.slice(1);
  const problems: string[] = [];
  const missing: string[] = [];
  for (const mode of ['light', 'dark'] as const) {
    const resolved = theme[mode][variable];
    if (typeof resolved !== 'string') missing.push(mode);
    else if (field.values && !field.values.includes(resolved)) {
      problems.push(
        `${label}: "${name}" is ${v}, "${resolved}" in "${mode}", and must be one of ${field.values.join(' | ')}`,
      );
    }
  }
  if (missing.length > 0) {
    problems.unshift(`${label}: "${name}" is ${v}, which theme.json does not define in ${missing.join(', ')}`);
  }
  return problems;
}

/** Field names, types and listed values of one JSON object against its table. */
export function validate(
  value: unknown,
  table: Table,
  label: string,
  prefix = '',
  theme?: Theme,
): string[] {
  if (!isObject(value)) {
    const what = prefix ? `"${prefix.slice(0, -1)}"` : table.name;
    return [`${label}: ${what} must be a JSON object, not ${describe(value)}`];
  }
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!(key in table.fields)) {
      problems.push(
        `${label}: unknown field "${prefix}${key}" (not among WeChat's ${table.name} fields, ${table.doc})`,
      );
    }
  }
  for (const [key, field] of Object.entries(table.fields)) {
    const name = `${prefix}${key}`;
    if (!(key in value)) {
      if (field.required) {
        problems.push(`${label}: missing required field "${name}" (${table.name}, ${table.doc})`);
      }
      continue;
    }
    const v = value[key];
    if (!field.type.split('|').some((t) => matches(t, v))) {
      problems.push(`${label}: "${name}" must be ${field.type}, not ${describe(v)}`);
      continue;
    }
    if (typeof v === 'string' && v.startsWith('@') && field.type === 'string') {
      problems.push(...themed(v, name, field, label, theme));
      continue;
    }
    if (field.values && typeof v === 'string' && !field.values.includes(v)) {
      problems.push(`${label}: "${name}" must be one of ${field.values.join(' | ')}, not "${v}"`);
    }
    if (field.fields && isObject(v)) {
      problems.push(...validate(v, field.fields, label, `${name}.`, theme));
    }
    if (field.each && isObject(v)) {
      for (const [k, item] of Object.entries(v)) {
        if (typeof field.each !== 'string') {
          problems.push(...validate(item, field.each, label, `${name}.${k}.`));
        } else if (!matches(field.each, item)) {
          problems.push(`${label}: "${name}.${k}" must be ${field.each}, not ${describe(item)}`);
        }
      }
    }
  }
  return problems;
}

interface Project {
  label: string;
  dir: string;
  config: Json;
  compileType?: 'plugin' | 'miniprogram';
  appDir?: string;
  pluginDir?: string;
}

/** Where a component or page's json sits, and what its usingComponents may refer to. */
interface Scope {
  /** The app or plugin folder: "/x" in usingComponents is relative to it. */
  root: string;
  /** The app.json declaring plugins, for plugin:// entries (none inside a plugin). */
  app?: Json;
  appLabel?: string;
  /** The plugin.json whose publicComponents plugin:// entries must name. */
  plugin?: Json;
  pluginLabel?: string;
  /** The project that opens this app, if any (for the "dev" version rule). */
  project?: Project;
  /** The app's theme.json palettes, when its window fields may use "@name". */
  theme?: Theme;
}

class ConfigCheck {
  readonly problems: string[] = [];
  private readonly visited = new Set<string>();
  /** App and plugin folders whose app.json / plugin.json had problems: their graph is partial. */
  private readonly partial = new Set<string>();
  /** The plugin's AppID, from the plugin project(s); undefined when none names a valid one. */
  private pluginAppId: string | undefined;

  constructor(private readonly rootDir: string) {}

  label(file: string): string {
    return path.relative(this.rootDir, file).split(path.sep).join('/');
  }

  /** A json another check reads and reports on: undefined if unreadable, reporting nothing. */
  private peek(file: string): Json | undefined {
    try {
      const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return isObject(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private read(file: string): Json | undefined {
    try {
      const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (isObject(value)) return value;
      this.problems.push(`${this.label(file)}: must be a JSON object, not ${describe(value)}`);
    } catch (error) {
      this.problems.push(`${this.label(file)}: is not valid JSON (${(error as Error).message})`);
    }
    return undefined;
  }

  run(): string[] {
    const projects = this.projects();
    const pluginAppIds = projects
      .filter((p) => p.compileType === 'plugin')
      .map((p) => p.config.pluginAppid)
      .filter((id): id is string => typeof id === 'string' && APPID.test(id));
    this.pluginAppId = pluginAppIds[0];
    for (const project of projects) this.checkAppIds(project);

    const sourcePluginDir = path.join(this.rootDir, SOURCE_PLUGIN);
    const repoPluginDir =
      projects.find((p) => p.compileType === 'plugin' && p.pluginDir)?.pluginDir ??
      sourcePluginDir;
    const pluginScope = (dir: string) => {
      const file = path.join(dir, 'plugin.json');
      return existsSync(file)
        ? { plugin: this.peek(file), pluginLabel: this.label(file) }
        : { plugin: undefined, pluginLabel: undefined };
    };

    for (const name of SOURCE_APPS) {
      const dir = path.join(this.rootDir, name);
      if (existsSync(path.join(dir, 'app.json'))) {
        this.checkApp(dir, { root: dir, ...pluginScope(sourcePluginDir) });
      }
    }
    this.checkPlugin(sourcePluginDir);
    for (const project of projects) {
      if (project.appDir) {
        const plugins = project.compileType === 'plugin' ? project.pluginDir : repoPluginDir;
        this.checkApp(project.appDir, {
          root: project.appDir,
          project,
          ...pluginScope(plugins ?? sourcePluginDir),
        });
      }
      if (project.pluginDir) this.checkPlugin(project.pluginDir);
    }
    const swept = [
      ...SOURCE_APPS.map((name) => path.join(this.rootDir, name)),
      sourcePluginDir,
      ...projects.flatMap((p) => [p.appDir, p.pluginDir]),
    ];
    for (const dir of swept) if (dir) this.checkUnreached(dir);
    return this.problems;
  }

  /** A page or component json nothing reaches is checked by nothing: say so. */
  private checkUnreached(dir: string): void {
    if (this.partial.has(dir)) return;
    for (const file of walk(dir)) {
      if (!file.endsWith('.json') || file === path.join(dir, 'app.json')) continue;
      if (this.visited.has(file) || !scriptOf(file.slice(0, -'.json'.length))) continue;
      this.problems.push(
        `${this.label(file)}: no app.json pages, plugin.json or usingComponents entry reaches it (a page missing from app.json "pages"?)`,
      );
    }
  }

  /** The root project.config.json and devtools/<name>/project.config.json. */
  private projects(): Project[] {
    const files = [path.join(this.rootDir, 'project.config.json')];
    const devtools = path.join(this.rootDir, DEVTOOLS_DIR);
    if (existsSync(devtools)) {
      for (const name of readdirSync(devtools).sort()) {
        const file = path.join(devtools, name, 'project.config.json');
        if (existsSync(file)) files.push(file);
      }
    }
    const projects: Project[] = [];
    for (const file of files) {
      if (!existsSync(file)) {
        this.problems.push(`${this.label(file)}: is missing`);
        continue;
      }
      const config = this.read(file);
      if (config) projects.push(this.project(file, config));
    }
    return projects;
  }

  private project(file: string, config: Json): Project {
    const label = this.label(file);
    const project: Project = { label, dir: path.dirname(file), config };
    this.problems.push(...validate(config, PROJECT_CONFIG, label));
    if (config.compileType === 'plugin' || config.compileType === 'miniprogram') {
      project.compileType = config.compileType;
    }
    const needs =
      project.compileType === 'plugin'
        ? PLUGIN_PROJECT_NEEDS
        : project.compileType === 'miniprogram'
          ? MINIPROGRAM_PROJECT_NEEDS
          : {};
    const kind = project.compileType === 'plugin' ? 'a plugin project' : 'a mini program project';
    for (const [key, why] of Object.entries(needs)) {
      if (!(key in config)) this.problems.push(`${label}: ${kind} needs "${key}" (${why})`);
    }
    for (const key of ['appid', 'pluginAppid']) {
      const id = config[key];
      if (typeof id === 'string' && !APPID.test(id)) {
        this.problems.push(`${label}: "${key}" "${id}" is not an AppID (wx and 16 hex digits)`);
      }
    }
    project.appDir = this.root(project, 'miniprogramRoot', 'app.json');
    if (project.compileType === 'plugin') {
      project.pluginDir = this.root(project, 'pluginRoot', 'plugin.json');
    }
    const setting = config.setting;
    if (isObject(setting) && Array.isArray(setting.useCompilerPlugins)) {
      this.problems.push(
        `${label}: "setting.useCompilerPlugins" must be false: DevTools loads the compiled dist/ (npm run build) and must not compile TypeScript itself`,
      );
    }
    return project;
  }

  /** A project root: relative (projectconfig.html), and built, with its app.json / plugin.json. */
  private root(project: Project, key: string, marker: string): string | undefined {
    const value = project.config[key];
    if (typeof value !== 'string') return undefined;
    if (path.isAbsolute(value) || /^[a-zA-Z]:[\\/]/.test(value)) {
      this.problems.push(`${project.label}: "${key}" must be a relative path, not ${value}`);
      return undefined;
    }
    const dir = path.resolve(project.dir, value);
    if (!existsSync(path.join(dir, marker))) {
      this.problems.push(
        `${project.label}: "${key}" ${value} has no ${marker} (${this.label(dir)}/): run npm run build first`,
      );
      return undefined;
    }
    return dir;
  }

  /** Who may have the plugin's AppID: its owner app, never a host trying or embedding it. */
  private checkAppIds(project: Project): void {
    const { appid } = project.config;
    const plugin = this.pluginAppId;
    if (typeof appid !== 'string' || !plugin) return;
    if (project.compileType === 'plugin') {
      if (project.config.pluginAppid === appid) {
        this.problems.push(
          `${project.label}: "appid" is the plugin's own AppID ${appid}: it must be a host's (a mini program cannot use its own plugin on a phone; DevTools would preview with your test account)`,
        );
      }
      return;
    }
    if (project.compileType !== 'miniprogram' || !project.appDir) return;
    const app = this.peek(path.join(project.appDir, 'app.json'));
    if (!app) return;
    const owner = app.functionalPages !== undefined && app.functionalPages !== false;
    if (owner && appid !== plugin) {
      this.problems.push(
        `${project.label}: the owner app (its app.json has functionalPages) must have the plugin's AppID ${plugin}, not ${appid}`,
      );
    }
    if (!owner && appid === plugin) {
      this.problems.push(
        `${project.label}: a third-party host must not have the plugin's AppID ${plugin}: only the owner app does`,
      );
    }
  }

  /** Marks dir partial when `check` reported a problem on `label` itself. */
  private entryPoint(dir: string, label: string, check: () => void): void {
    const before = this.problems.length;
    check();
    if (this.problems.slice(before).some((p) => p.startsWith(`${label}:`))) this.partial.add(dir);
  }

  private checkApp(dir: string, scope: Scope): void {
    const file = path.join(dir, 'app.json');
    const label = this.label(file);
    this.entryPoint(dir, label, () => this.checkAppJson(dir, file, label, scope));
  }

  private checkAppJson(dir: string, file: string, label: string, scope: Scope): void {
    const app = this.read(file);
    if (!app) return;
    const theme = this.theme(dir, app, label);
    this.problems.push(...validate(app, APP_JSON, label, '', theme));
    const full: Scope = { ...scope, app, appLabel: label, ...(theme ? { theme } : {}) };
    if (isObject(app.plugins)) {
      for (const [alias, declared] of Object.entries(app.plugins)) {
        if (isObject(declared)) this.checkPluginDeclaration(label, alias, declared, scope.project);
      }
    }
    const pages = Array.isArray(app.pages) ? app.pages : [];
    const subpackages = [app.subpackages, app.subPackages].flatMap((s) =>
      Array.isArray(s) ? s : [],
    );
    const allPages = [
      ...pages,
      ...subpackages.flatMap((sub: unknown) =>
        isObject(sub) && typeof sub.root === 'string' && Array.isArray(sub.pages)
          ? sub.pages.map((p: unknown) => `${sub.root as string}/${String(p)}`)
          : [],
      ),
    ];
    for (const page of allPages) {
      if (typeof page === 'string') this.checkPage(path.join(dir, page), label, page, full);
    }
    if (isObject(app.usingComponents)) this.checkUsing(label, file, app.usingComponents, full);
  }

  /** The app's theme.json when dark mode is on; a missing or malformed one is a problem. */
  private theme(dir: string, app: Json, label: string): Theme | undefined {
    if (app.darkmode !== true || typeof app.themeLocation !== 'string') return undefined;
    const file = path.join(dir, app.themeLocation);
    if (!existsSync(file)) {
      this.problems.push(`${label}: "themeLocation" ${app.themeLocation} does not exist`);
      return undefined;
    }
    const json = this.read(file);
    if (!json) return undefined;
    if (!isObject(json.light) || !isObject(json.dark)) {
      this.problems.push(`${this.label(file)}: needs "light" and "dark" objects`);
      return undefined;
    }
    return { light: json.light, dark: json.dark };
  }

  private checkPluginDeclaration(
    label: string,
    alias: string,
    declared: Json,
    project: Project | undefined,
  ): void {
    const where = `plugins.${alias}`;
    const { provider, version } = declared;
    if (typeof provider === 'string') {
      if (!APPID.test(provider)) {
        this.problems.push(
          `${label}: "${where}.provider" "${provider}" is not an AppID (wx and 16 hex digits)`,
        );
      } else if (this.pluginAppId && provider !== this.pluginAppId) {
        this.problems.push(
          `${label}: "${where}.provider" ${provider} is not this repository's plugin (pluginAppid ${this.pluginAppId} in project.config.json)`,
        );
      }
    }
    if (typeof version !== 'string') return;
    if (version !== 'dev' && !RELEASED_VERSION.test(version)) {
      this.problems.push(
        `${label}: "${where}.version" "${version}" is neither "dev" nor a released version (x.y.z, each at most 999)`,
      );
    } else if (version === 'dev' && project?.compileType === 'miniprogram') {
      this.problems.push(
        `${label}: "${where}.version" "dev" is valid only in a plugin project (compileType "plugin"), and ${project.label} is a mini program project: name a released version`,
      );
    }
  }

  /** A page: its json (page fields), and what a Component()-built page needs. */
  private checkPage(base: string, listedIn: string, page: string, scope: Scope): void {
    const file = `${base}.json`;
    if (!existsSync(file)) {
      this.problems.push(`${listedIn}: page "${page}" has no ${page}.json`);
      return;
    }
    if (this.visited.has(file)) return;
    this.visited.add(file);
    const label = this.label(file);
    const json = this.read(file);
    if (!json) return;
    this.problems.push(...validate(json, PAGE_JSON, label, '', scope.theme));
    if (usesComponentConstructor(base)) {
      if (json.component !== true) {
        this.problems.push(
          `${label}: the page is built with Component(), so it needs "component": true`,
        );
      }
      if (!('usingComponents' in json)) {
        this.problems.push(
          `${label}: the page is built with Component(), so it needs a "usingComponents" section (framework/custom-component/component.html)`,
        );
      }
    }
    if (isObject(json.usingComponents)) this.checkUsing(label, file, json.usingComponents, scope);
  }

  /** A custom component: its json (component fields, "component": true) and what it uses. */
  private checkComponent(base: string, scope: Scope): void {
    const file = `${base}.json`;
    if (this.visited.has(file)) return;
    this.visited.add(file);
    const label = this.label(file);
    const json = this.read(file);
    if (!json) return;
    this.problems.push(...validate(json, COMPONENT_JSON, label));
    if (json.component === false) {
      this.problems.push(`${label}: "component" must be true in a custom component's json`);
    }
    if (isObject(json.usingComponents)) this.checkUsing(label, file, json.usingComponents, scope);
  }

  private checkUsing(label: string, file: string, using: Json, scope: Scope): void {
    for (const [tag, ref] of Object.entries(using)) {
      if (typeof ref !== 'string') continue; // the table reports the type
      const where = `${label}: usingComponents.${tag}`;
      const pluginRef = /^plugin:\/\/([^/]+)\/(.+)$/.exec(ref);
      if (pluginRef) {
        const [, alias = '', name = ''] = pluginRef;
        const declared = isObject(scope.app?.plugins) ? scope.app.plugins : {};
        const publicComponents = isObject(scope.plugin?.publicComponents)
          ? scope.plugin.publicComponents
          : {};
        if (!(alias in declared)) {
          this.problems.push(
            `${where}: plugin alias "${alias}" is not declared in ${scope.appLabel ?? 'an app.json'} plugins`,
          );
        } else if (scope.plugin && !(name in publicComponents)) {
          this.problems.push(
            `${where}: plugin "${alias}" has no public component "${name}" (${scope.pluginLabel} publicComponents)`,
          );
        }
        continue;
      }
      const base = ref.startsWith('/')
        ? path.join(scope.root, ref)
        : path.resolve(path.dirname(file), ref);
      if (!isComponentAt(base)) {
        this.problems.push(
          `${where}: "${ref}" resolves to no component (${this.label(base)}.json and .js/.ts)`,
        );
        continue;
      }
      this.checkComponent(base, scope);
    }
  }

  private checkPlugin(dir: string): void {
    const file = path.join(dir, 'plugin.json');
    const label = this.label(file);
    this.entryPoint(dir, label, () => this.checkPluginJson(dir, file, label));
  }

  private checkPluginJson(dir: string, file: string, label: string): void {
    if (!existsSync(file)) {
      this.problems.push(`${label}: is missing`);
      return;
    }
    const plugin = this.read(file);
    if (!plugin) return;
    this.problems.push(...validate(plugin, PLUGIN_JSON, label));
    const scope: Scope = { root: dir, plugin, pluginLabel: label };
    if (isObject(plugin.publicComponents)) {
      for (const [name, rel] of Object.entries(plugin.publicComponents)) {
        if (typeof rel !== 'string') continue;
        const base = path.join(dir, rel);
        if (!isComponentAt(base)) {
          this.problems.push(
            `${label}: publicComponents.${name}: "${rel}" resolves to no component (${this.label(base)}.json and .js/.ts)`,
          );
        } else {
          this.checkComponent(base, scope);
        }
      }
    }
    if (isObject(plugin.pages)) {
      for (const [name, rel] of Object.entries(plugin.pages)) {
        if (typeof rel === 'string') this.checkPage(path.join(dir, rel), label, name, scope);
      }
    }
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function scriptOf(base: string): string | undefined {
  return ['.ts', '.js'].map((ext) => base + ext).find((f) => existsSync(f));
}

function isComponentAt(base: string): boolean {
  return existsSync(`${base}.json`) && scriptOf(base) !== undefined;
}

/** A page registered with Component({...}) rather than Page({...}) (source .ts or built .js). */
function usesComponentConstructor(base: string): boolean {
  const script = scriptOf(base);
  return script !== undefined && /\bComponent\s*\(\s*\{/.test(readFileSync(script, 'utf8'));
}

/** Checks the configuration under rootDir (the repository, or a copy of its WeChat side). */
export function checkConfigs(rootDir: string): string[] {
  return new ConfigCheck(rootDir).run();
}

/** What a copy must hold for checkConfigs: the projects, the WeChat sources and dist/. */
export const CONFIG_PATHS = [
  'project.config.json',
  DEVTOOLS_DIR,
  ...SOURCE_APPS,
  SOURCE_PLUGIN,
  'dist',
] as const;
