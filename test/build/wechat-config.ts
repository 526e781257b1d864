/**
 * The fields WeChat documents for each configuration file the mini program side ships or
 * DevTools reads, as small tables: a field not in its table is unknown, a `required` field must
 * be there, and a value must have the field's type (and one of `values` where WeChat lists them).
 * check-config.ts applies them; each table names the page of developers.weixin.qq.com it follows.
 *
 * Types: 'string' | 'number' | 'boolean' | 'object' | 'array', 'string[]' / 'object[]' for
 * arrays of those, 'false' for the literal; '|' joins alternatives (WeChat types
 * `functionalPages` as boolean or object, `useCompilerPlugins` as false or a list).
 */

export interface Field {
  type: string;
  required?: true;
  /** The values WeChat lists for the field, where it lists them. */
  values?: readonly string[];
  /** An object field with documented fields of its own. */
  fields?: Table;
  /** An object field used as a map (usingComponents, plugins): the type or table of each value. */
  each?: string | Table;
}

export interface Table {
  /** What the table describes, as a problem message names it. */
  name: string;
  /** The WeChat documentation page it follows. */
  doc: string;
  fields: Readonly<Record<string, Field>>;
}

const DOCS = 'https://developers.weixin.qq.com/miniprogram/dev';

const str: Field = { type: 'string' };
const bool: Field = { type: 'boolean' };
const num: Field = { type: 'number' };
const obj: Field = { type: 'object' };
const strs: Field = { type: 'string[]' };
const objs: Field = { type: 'object[]' };
/** An object whose values are all paths (usingComponents, publicComponents, plugin pages). */
const paths: Field = { type: 'object', each: 'string' };

/** project.config.json "setting" (projectconfig.html, section "setting"). */
export const PROJECT_SETTING: Table = {
  name: 'project.config.json setting',
  doc: `${DOCS}/devtools/projectconfig.html`,
  fields: {
    es6: bool,
    postcss: bool,
    minified: bool,
    urlCheck: bool,
    uglifyFileName: bool,
    checkSiteMap: bool,
    coverView: bool,
    enhance: bool,
    babelSetting: obj,
    uploadWithSourceMap: bool,
    // Above: the switches every copy of the page lists. Below: the other "详情 → 本地设置"
    // switches DevTools writes here; not all of them were confirmed against the page.
    minifyWXSS: bool,
    minifyWXML: bool,
    ignoreUploadUnusedFiles: bool,
    ignoreDevUnusedFiles: bool,
    autoAudits: bool,
    compileHotReLoad: bool,
    lazyloadPlaceholderEnable: bool,
    preloadBackgroundData: bool,
    showShadowRootInWxmlPanel: bool,
    packNpmManually: bool,
    packNpmRelationList: objs,
    useCompilerPlugins: { type: 'false|string[]' },
    disableUseStrict: bool,
    useStaticServer: bool,
    compileWorklet: bool,
    swc: bool,
    disableSWC: bool,
  },
};

/**
 * project.config.json, first-level fields (projectconfig.html "一级字段"), plus `pluginAppid`
 * (devtools/plugin.html: required in a plugin project since DevTools 1.05.2111051).
 * Which fields a project needs depends on its compileType: check-config.ts states those rules.
 */
export const PROJECT_CONFIG: Table = {
  name: 'project.config.json',
  doc: `${DOCS}/devtools/projectconfig.html`,
  fields: {
    miniprogramRoot: str,
    qcloudRoot: str,
    pluginRoot: str,
    cloudbaseRoot: str,
    cloudfunctionRoot: str,
    cloudfunctionTemplateRoot: str,
    cloudcontainerRoot: str,
    compileType: { type: 'string', required: true, values: ['miniprogram', 'plugin'] },
    setting: { type: 'object', fields: PROJECT_SETTING },
    libVersion: str,
    appid: str,
    projectname: str,
    packOptions: obj,
    debugOptions: obj,
    watchOptions: obj,
    scripts: obj,
    staticServerOptions: obj,
    editorSetting: obj,
    skeletonConfig: obj,
    pluginAppid: str,
  },
};

/** app.json "window" (reference/configuration/app.html#window). */
export const APP_WINDOW: Table = {
  name: 'app.json window',
  doc: `${DOCS}/reference/configuration/app.html#window`,
  fields: {
    navigationBarBackgroundColor: str,
    navigationBarTextStyle: { type: 'string', values: ['black', 'white'] },
    navigationBarTitleText: str,
    navigationStyle: { type: 'string', values: ['default', 'custom'] },
    homeButton: bool,
    backgroundColor: str,
    backgroundTextStyle: { type: 'string', values: ['dark', 'light'] },
    backgroundColorTop: str,
    backgroundColorBottom: str,
    enablePullDownRefresh: bool,
    onReachBottomDistance: num,
    pageOrientation: { type: 'string', values: ['portrait', 'auto', 'landscape'] },
    restartStrategy: { type: 'string', values: ['homePage', 'homePageAndLatestPage'] },
    initialRenderingCache: str,
    visualEffectInBackground: str,
    handleWebviewPreload: str,
  },
};

/** One entry of app.json "plugins" (framework/plugin/using.html). */
export const APP_PLUGIN: Table = {
  name: 'app.json plugins entry',
  doc: `${DOCS}/framework/plugin/using.html`,
  fields: {
    version: { type: 'string', required: true },
    provider: { type: 'string', required: true },
    export: str,
    genericsImplementation: obj,
  },
};

/** app.json "functionalPages" in its object form (framework/plugin/functional-pages.html). */
export const APP_FUNCTIONAL_PAGES: Table = {
  name: 'app.json functionalPages',
  doc: `${DOCS}/framework/plugin/functional-pages.html`,
  fields: { independent: bool },
};

/** app.json (reference/configuration/app.html; formerly framework/config.html). */
export const APP_JSON: Table = {
  name: 'app.json',
  doc: `${DOCS}/reference/configuration/app.html`,
  fields: {
    entryPagePath: str,
    pages: { type: 'string[]', required: true },
    window: { type: 'object', fields: APP_WINDOW },
    tabBar: obj,
    networkTimeout: obj,
    debug: bool,
    functionalPages: { type: 'boolean|object', fields: APP_FUNCTIONAL_PAGES },
    subpackages: objs,
    subPackages: objs,
    workers: { type: 'string|object' },
    requiredBackgroundModes: strs,
    requiredPrivateInfos: strs,
    plugins: { type: 'object', each: APP_PLUGIN },
    preloadRule: obj,
    resizable: bool,
    usingComponents: paths,
    permission: obj,
    sitemapLocation: { type: 'string', required: true },
    style: { type: 'string', values: ['v2'] },
    useExtendedLib: obj,
    entranceDeclare: obj,
    darkmode: bool,
    themeLocation: str,
    lazyCodeLoading: { type: 'string', values: ['requiredComponents'] },
    singlePage: obj,
    supportedMaterials: { type: 'object|object[]' },
    serviceProviderTicket: str,
    embeddedAppIdList: strs,
    halfPage: obj,
    debugOptions: obj,
    enablePassiveEvent: { type: 'boolean|object' },
    resolveAlias: obj,
    renderer: str,
    rendererOptions: obj,
    componentFramework: str,
    miniApp: obj,
    static: { type: 'object|object[]' },
    convertRpxToVw: bool,
    appBar: obj,
  },
};

/** plugin.json (framework/plugin/development.html "插件配置文件"). */
export const PLUGIN_JSON: Table = {
  name: 'plugin.json',
  doc: `${DOCS}/framework/plugin/development.html`,
  fields: {
    publicComponents: paths,
    pages: paths,
    main: str,
  },
};

/**
 * A page's .json (reference/configuration/page.html), plus `component`: a page built with
 * Component() is a custom component (framework/custom-component/component.html).
 */
export const PAGE_JSON: Table = {
  name: 'page json',
  doc: `${DOCS}/reference/configuration/page.html`,
  fields: {
    navigationBarBackgroundColor: str,
    navigationBarTextStyle: { type: 'string', values: ['black', 'white'] },
    navigationBarTitleText: str,
    navigationStyle: { type: 'string', values: ['default', 'custom'] },
    homeButton: bool,
    backgroundColor: str,
    backgroundColorContent: str,
    backgroundTextStyle: { type: 'string', values: ['dark', 'light'] },
    backgroundColorTop: str,
    backgroundColorBottom: str,
    enablePullDownRefresh: bool,
    onReachBottomDistance: num,
    pageOrientation: { type: 'string', values: ['portrait', 'auto', 'landscape'] },
    disableScroll: bool,
    usingComponents: paths,
    initialRenderingCache: { type: 'string', values: ['static', 'dynamic'] },
    style: str,
    singlePage: obj,
    restartStrategy: { type: 'string', values: ['homePage', 'homePageAndLatestPage'] },
    handleWebviewPreload: str,
    visualEffectInBackground: str,
    enablePassiveEvent: { type: 'boolean|object' },
    renderer: str,
    rendererOptions: obj,
    componentFramework: str,
    componentPlaceholder: paths,
    component: bool,
  },
};

/**
 * A custom component's .json (framework/custom-component/index.html; styleIsolation:
 * custom-component/wxml-wxss.html, componentGenerics: generics.html, componentPlaceholder:
 * placeholder.html).
 */
export const COMPONENT_JSON: Table = {
  name: 'component json',
  doc: `${DOCS}/framework/custom-component/index.html`,
  fields: {
    component: { type: 'boolean', required: true },
    usingComponents: paths,
    styleIsolation: {
      type: 'string',
      values: ['isolated', 'apply-shared', 'shared', 'page-isolated', 'page-apply-shared', 'page-shared'],
    },
    componentGenerics: obj,
    componentPlaceholder: paths,
  },
};

/** A mini program or plugin AppID: "wx" and 16 hex digits (as shown in 开发管理 → 开发设置). */
export const APPID = /^wx[0-9a-f]{16}$/;

/**
 * A released plugin version as app.json names it: 数字.数字.数字, each at most 999
 * (devtools/plugin.html "插件上传"). `"dev"` is the local plugin, valid only in a plugin project.
 */
export const RELEASED_VERSION = /^\d{1,3}\.\d{1,3}\.\d{1,3}$/;
