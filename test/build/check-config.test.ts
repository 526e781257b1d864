import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, ensureBuilt } from '../../dev/dist';
import { CONFIG_PATHS, checkConfigs } from './check-config';
import { RELEASED_VERSION } from './wechat-config';

type Json = Record<string, unknown>;
type Plant = (json: Json) => unknown;

let copy: string;

beforeAll(ensureBuilt);

beforeEach(() => {
  copy = mkdtempSync(path.join(tmpdir(), 'config-check-'));
  for (const rel of CONFIG_PATHS) {
    cpSync(path.join(ROOT, rel), path.join(copy, rel), { recursive: true });
  }
});

afterEach(() => rmSync(copy, { recursive: true, force: true }));

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/** Rewrites one json of the copy. */
function edit(rel: string, plant: Plant): void {
  const file = path.join(copy, rel);
  const json = readJson(file);
  plant(json);
  writeFileSync(file, JSON.stringify(json, null, 2));
}

const obj = (value: unknown) => value as Json;
const pay = (app: Json) => obj(obj(app.plugins).pay);
const using = (json: Json) => obj(json.usingComponents);

const PLUGIN_PROJECT = 'project.config.json';
const OWNER_PROJECT = 'devtools/owner/project.config.json';
const CONSUMER_PROJECT = 'devtools/consumer/project.config.json';
const PAY_RESULT = 'miniprogram/pages/pay-result/index.json';
const ORDER_CONFIRM = 'miniprogram/pages/order-confirm/index.json';
const PAY_BUTTON = 'plugin/components/pay-button/index.json';
const PLUGIN_ID = 'wx1111111111111111';
const HOST_ID = 'wx2222222222222222';

/** Plants one fault, and expects exactly one problem: the one starting with `problem`. */
function caught(rel: string, plant: Plant, problem: string): void {
  edit(rel, plant);
  expect(checkConfigs(copy)).toEqual([expect.stringContaining(problem)]);
  expect(checkConfigs(copy)[0]?.startsWith(problem)).toBe(true);
}

test('the real configuration passes every rule', () => {
  expect(checkConfigs(ROOT)).toEqual([]);
});

test('the copy the faults are planted in passes too', () => {
  expect(checkConfigs(copy)).toEqual([]);
});

describe('a field WeChat does not document', () => {
  test.each<[string, string, Plant]>([
    [PLUGIN_PROJECT, 'srcMiniprogramRoot', (j) => (j.srcMiniprogramRoot = 'dist/miniprogram/')],
    [CONSUMER_PROJECT, 'setting.checkDomain', (j) => (obj(j.setting).checkDomain = false)],
    ['consumer/app.json', 'tabbar', (j) => (j.tabbar = {})],
    ['miniprogram/app.json', 'window.navigationBarTitle', (j) => (obj(j.window).navigationBarTitle = 'x')],
    ['miniprogram/app.json', 'plugins.pay.versions', (j) => (pay(j).versions = '0.1.0')],
    ['dist/owner/app.json', 'functionalPages.indepedent', (j) => (obj(j.functionalPages).indepedent = true)],
    // Alipay's plugin.json has publicPages; WeChat's names its pages in "pages".
    ['plugin/plugin.json', 'publicPages', (j) => (j.publicPages = {})],
    [PAY_RESULT, 'navigationBarTitle', (j) => (j.navigationBarTitle = 'x')],
    [PAY_BUTTON, 'properties', (j) => (j.properties = {})],
  ])('%s with "%s" is caught', (rel, field, plant) => {
    caught(rel, plant, `${rel}: unknown field "${field}"`);
  });
});

describe('dark mode: a theme variable theme.json does not back', () => {
  test('a variable neither palette defines', () => {
    const plant: Plant = (j) => (obj(j.window).backgroundColor = '@nope');
    caught('miniprogram/app.json', plant, 'miniprogram/app.json: "window.backgroundColor" is @nope, which theme.json does not define in light, dark');
  });

  test('a palette value WeChat does not list', () => {
    edit('miniprogram/theme.json', (j) => (obj(j.dark).navTextStyle = 'grey'));
    expect(checkConfigs(copy)).toEqual([
      'miniprogram/app.json: "window.navigationBarTextStyle" is @navTextStyle, "grey" in "dark", and must be one of black | white',
    ]);
  });

  test('a page may use the palette too, but only what it defines', () => {
    caught(PAY_RESULT, (j) => (j.backgroundColor = '@missing'), `${PAY_RESULT}: "backgroundColor" is @missing`);
  });
});

describe('a required field missing', () => {
  test.each<[string, string, Plant]>([
    [PLUGIN_PROJECT, 'compileType', (j) => delete j.compileType],
    ['consumer/app.json', 'sitemapLocation', (j) => delete j.sitemapLocation],
    ['dist/consumer/app.json', 'pages', (j) => delete j.pages],
    ['dist/miniprogram/app.json', 'plugins.pay.provider', (j) => delete pay(j).provider],
    [PAY_BUTTON, 'component', (j) => delete j.component],
  ])('%s without "%s" is caught', (rel, field, plant) => {
    caught(rel, plant, `${rel}: missing required field "${field}"`);
  });
});

describe('a value of the wrong type, or not one WeChat lists', () => {
  test.each<[string, string, Plant]>([
    [OWNER_PROJECT, '"setting.urlCheck" must be boolean', (j) => (obj(j.setting).urlCheck = 'false')],
    [PLUGIN_PROJECT, '"compileType" must be one of miniprogram | plugin', (j) => (j.compileType = 'game')],
    ['miniprogram/app.json', '"pages" must be string[]', (j) => (j.pages = 'pages/order-confirm/index')],
    ['consumer/app.json', '"plugins.pay.version" must be string', (j) => (pay(j).version = 1)],
    ['miniprogram/app.json', '"functionalPages" must be boolean|object', (j) => (j.functionalPages = 'independent')],
    ['miniprogram/app.json', '"window.navigationBarTextStyle" must be one of black | white', (j) => (obj(j.window).navigationBarTextStyle = 'red')],
    ['plugin/plugin.json', '"publicComponents.pay-button" must be string', (j) => (obj(j.publicComponents)['pay-button'] = ['components/pay-button/index'])],
    [PAY_RESULT, '"navigationBarTitleText" must be string', (j) => (j.navigationBarTitleText = 42)],
    [PAY_BUTTON, '"component" must be boolean', (j) => (j.component = 'true')],
  ])('%s: %s', (rel, problem, plant) => {
    caught(rel, plant, `${rel}: ${problem}`);
  });
});

describe('projects', () => {
  test.each(['appid', 'pluginAppid', 'pluginRoot', 'miniprogramRoot'])(
    'a plugin project without "%s" is caught',
    (key) => {
      caught(PLUGIN_PROJECT, (j) => delete j[key], `${PLUGIN_PROJECT}: a plugin project needs "${key}"`);
    },
  );

  test.each(['appid', 'miniprogramRoot'])('a mini program project without "%s" is caught', (key) => {
    caught(CONSUMER_PROJECT, (j) => delete j[key], `${CONSUMER_PROJECT}: a mini program project needs "${key}"`);
  });

  test('an AppID that is not one (DevTools tourist mode) is caught', () => {
    caught(CONSUMER_PROJECT, (j) => (j.appid = 'touristappid'), `${CONSUMER_PROJECT}: "appid" "touristappid" is not an AppID`);
  });

  test('a pluginAppid that is not an AppID is caught', () => {
    caught(PLUGIN_PROJECT, (j) => (j.pluginAppid = 'wx-pay-plugin'), `${PLUGIN_PROJECT}: "pluginAppid" "wx-pay-plugin" is not an AppID`);
  });

  test('an absolute miniprogramRoot is caught', () => {
    caught(OWNER_PROJECT, (j) => (j.miniprogramRoot = path.join(copy, 'dist', 'owner')), `${OWNER_PROJECT}: "miniprogramRoot" must be a relative path`);
  });

  test('a miniprogramRoot with no built app is caught', () => {
    caught(CONSUMER_PROJECT, (j) => (j.miniprogramRoot = '../../dist/nowhere/'), `${CONSUMER_PROJECT}: "miniprogramRoot" ../../dist/nowhere/ has no app.json`);
  });

  test('a pluginRoot with no built plugin is caught', () => {
    caught(PLUGIN_PROJECT, (j) => (j.pluginRoot = 'plugins/'), `${PLUGIN_PROJECT}: "pluginRoot" plugins/ has no plugin.json`);
  });

  test('DevTools compiling TypeScript itself is caught', () => {
    caught(OWNER_PROJECT, (j) => (obj(j.setting).useCompilerPlugins = ['typescript']), `${OWNER_PROJECT}: "setting.useCompilerPlugins" must be false`);
  });
});

describe('AppIDs', () => {
  test("a plugin project whose host is the plugin's own AppID is caught", () => {
    caught(PLUGIN_PROJECT, (j) => (j.appid = PLUGIN_ID), `${PLUGIN_PROJECT}: "appid" is the plugin's own AppID`);
  });

  test("an owner project without the plugin's AppID is caught", () => {
    caught(OWNER_PROJECT, (j) => (j.appid = HOST_ID), `${OWNER_PROJECT}: the owner app (its app.json has functionalPages) must have the plugin's AppID`);
  });

  test("a third-party host with the plugin's AppID is caught", () => {
    caught(CONSUMER_PROJECT, (j) => (j.appid = PLUGIN_ID), `${CONSUMER_PROJECT}: a third-party host must not have the plugin's AppID`);
  });

  test('a provider that is not an AppID is caught', () => {
    caught('miniprogram/app.json', (j) => (pay(j).provider = 'pay-plugin'), 'miniprogram/app.json: "plugins.pay.provider" "pay-plugin" is not an AppID');
  });

  test("a provider that is not this repository's plugin is caught", () => {
    caught('consumer/app.json', (j) => (pay(j).provider = 'wx9999999999999999'), `consumer/app.json: "plugins.pay.provider" wx9999999999999999 is not this repository's plugin (pluginAppid ${PLUGIN_ID}`);
  });
});

describe('plugin versions', () => {
  test.each(['dist/owner/app.json', 'dist/consumer/app.json'])(
    '"dev" in %s, which a mini program project opens, is caught',
    (rel) => {
      caught(rel, (j) => (pay(j).version = 'dev'), `${rel}: "plugins.pay.version" "dev" is valid only in a plugin project`);
    },
  );

  test('"dev" in the plugin project\'s host app is fine', () => {
    expect(readJson(path.join(copy, 'dist/miniprogram/app.json'))).toMatchObject({ plugins: { pay: { version: 'dev' } } });
    expect(checkConfigs(copy)).toEqual([]);
  });

  test('a version that is neither "dev" nor released is caught', () => {
    caught('consumer/app.json', (j) => (pay(j).version = 'latest'), 'consumer/app.json: "plugins.pay.version" "latest" is neither "dev" nor a released version');
  });

  test('the owner build names a released version, and differs from the host build only there', () => {
    const host = readJson(path.join(copy, 'dist/miniprogram/app.json'));
    const owner = readJson(path.join(copy, 'dist/owner/app.json'));
    const pkg = readJson(path.join(ROOT, 'package.json'));
    expect(pay(owner).version).toMatch(RELEASED_VERSION);
    expect(pay(owner).version).toBe(process.env.MP_PLUGIN_VERSION ?? pkg.version);
    pay(owner).version = 'dev';
    expect(owner).toEqual(host);
  });
});

describe('pages and components', () => {
  test('a usingComponents path to nothing is caught', () => {
    caught(PAY_RESULT, (j) => (using(j).x = '../missing/index'), `${PAY_RESULT}: usingComponents.x: "../missing/index" resolves to no component`);
  });

  test('a plugin:// entry whose alias app.json does not declare is caught', () => {
    caught(ORDER_CONFIRM, (j) => (using(j)['pay-button'] = 'plugin://nope/pay-button'), `${ORDER_CONFIRM}: usingComponents.pay-button: plugin alias "nope" is not declared in miniprogram/app.json plugins`);
  });

  test('a plugin:// entry the plugin does not make public is caught', () => {
    caught('dist/consumer/pages/checkout/index.json', (j) => (using(j)['pay-button'] = 'plugin://pay/pay-buttons'), 'dist/consumer/pages/checkout/index.json: usingComponents.pay-button: plugin "pay" has no public component "pay-buttons" (dist/plugin/plugin.json publicComponents)');
  });

  test('a public component removed from the built plugin is caught in every host using it', () => {
    edit('dist/plugin/plugin.json', (j) => (j.publicComponents = {}));
    const missing = ': usingComponents.pay-button: plugin "pay" has no public component "pay-button" (dist/plugin/plugin.json publicComponents)';
    expect(checkConfigs(copy)).toEqual([
      `dist/miniprogram/pages/order-confirm/index.json${missing}`,
      `dist/consumer/pages/checkout/index.json${missing}`,
      `dist/owner/pages/order-confirm/index.json${missing}`,
      'dist/plugin/components/pay-button/index.json: no app.json pages, plugin.json or usingComponents entry reaches it (a page missing from app.json "pages"?)',
    ]);
  });

  test('a publicComponents path to nothing is caught', () => {
    caught('plugin/plugin.json', (j) => (obj(j.publicComponents)['pay-button'] = 'components/pay-buton/index'), 'plugin/plugin.json: publicComponents.pay-button: "components/pay-buton/index" resolves to no component');
  });

  test('a Component()-built page without "component": true is caught', () => {
    caught(ORDER_CONFIRM, (j) => delete j.component, `${ORDER_CONFIRM}: the page is built with Component(), so it needs "component": true`);
  });

  test('a Component()-built page without usingComponents is caught', () => {
    caught(PAY_RESULT, (j) => delete j.usingComponents, `${PAY_RESULT}: the page is built with Component(), so it needs a "usingComponents" section`);
  });

  test('a custom component with "component": false is caught', () => {
    caught('dist/plugin/components/pay-button/index.json', (j) => (j.component = false), 'dist/plugin/components/pay-button/index.json: "component" must be true');
  });

  test('a page app.json lists without its json is caught', () => {
    unlinkSync(path.join(copy, 'consumer/pages/checkout/index.json'));
    expect(checkConfigs(copy)).toEqual(['consumer/app.json: page "pages/checkout/index" has no pages/checkout/index.json']);
  });

  test('a page json no app.json lists is caught', () => {
    for (const ext of ['json', 'ts']) {
      cpSync(
        path.join(copy, `miniprogram/pages/pay-result/index.${ext}`),
        path.join(copy, `miniprogram/pages/refund/index.${ext}`),
        { recursive: true },
      );
    }
    expect(checkConfigs(copy)).toEqual([
      expect.stringContaining(
        'miniprogram/pages/refund/index.json: no app.json pages, plugin.json or usingComponents entry reaches it',
      ),
    ]);
  });

  test.each(['project.config.json', 'plugin/plugin.json'])('%s missing is caught', (rel) => {
    unlinkSync(path.join(copy, rel));
    expect(checkConfigs(copy)).toEqual([`${rel}: is missing`]);
  });

  test('a json that is not an object is caught', () => {
    writeFileSync(path.join(copy, PAY_BUTTON), '[]');
    expect(checkConfigs(copy)).toEqual([`${PAY_BUTTON}: must be a JSON object, not array`]);
  });

  test('a plugins entry that is not an object is caught', () => {
    caught('consumer/app.json', (j) => (obj(j.plugins).pay = 'wx1111111111111111'), 'consumer/app.json: "plugins.pay" must be a JSON object');
  });

  test('a json that does not parse is caught', () => {
    writeFileSync(path.join(copy, PAY_RESULT), '{ "component": true, }');
    expect(checkConfigs(copy)).toEqual([expect.stringContaining(`${PAY_RESULT}: is not valid JSON`)]);
  });
});

describe('the owner build (gulp owner)', () => {
  const gulp = path.join(path.dirname(createRequire(__filename).resolve('gulp')), 'bin', 'gulp.js');
  const runOwner = (version: string) =>
    execFileSync(process.execPath, [gulp, 'owner'], {
      cwd: ROOT,
      env: { ...process.env, MP_DIST_DIR: path.join(copy, 'dist'), MP_PLUGIN_VERSION: version },
      stdio: 'pipe',
      encoding: 'utf8',
    });

  test('pins MP_PLUGIN_VERSION', () => {
    runOwner('1.2.3');
    expect(pay(readJson(path.join(copy, 'dist/owner/app.json'))).version).toBe('1.2.3');
    expect(checkConfigs(copy)).toEqual([]);
  }, 30_000);

  test.each(['dev', '1.2', '1000.0.0'])('refuses MP_PLUGIN_VERSION=%s', (version) => {
    expect(() => runOwner(version)).toThrow(/MP_PLUGIN_VERSION must be a released/);
  }, 30_000);
});

test("DevTools' personal settings stay out of git and prettier", () => {
  for (const ignore of ['.gitignore', '.prettierignore']) {
    expect(readFileSync(path.join(ROOT, ignore), 'utf8').split('\n')).toContain('project.private.config.json');
  }
});
