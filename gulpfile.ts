/**
 * Build of the WeChat side: TypeScript → CommonJS for the base library, assets copied,
 * build-time configuration generated. Loaded by gulp-cli through ts-node (transpile-only,
 * see tsconfig.json "ts-node"); `npm run typecheck` type-checks this file.
 *
 *   miniprogram/       → dist/miniprogram/
 *   functional-pages/  → dist/miniprogram/functional-pages/   (WeChat wants it at the owner app root)
 *   plugin/            → dist/plugin/
 *   consumer/          → dist/consumer/   (a third-party host: no build-config, no server URL)
 *   cashier/           → dist/cashier/    (the merchant's own cashier mini program, half-screen)
 *   dist/miniprogram/  → dist/owner/      (the owner app as its own DevTools project opens it:
 *                                          app.json's plugin version pinned, never "dev")
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { dest, lastRun, parallel, series, src, watch as gulpWatch } from 'gulp';
import ts from 'gulp-typescript';
import { minify } from 'terser';

/** `MP_DIST_DIR` builds elsewhere (the release-build check builds into a temp dir). */
const DIST = process.env.MP_DIST_DIR ?? 'dist';
const roots = [
  { name: 'miniprogram', from: 'miniprogram', to: `${DIST}/miniprogram`, config: true },
  {
    name: 'functional-pages',
    from: 'functional-pages',
    to: `${DIST}/miniprogram/functional-pages`,
    config: true,
  },
  { name: 'plugin', from: 'plugin', to: `${DIST}/plugin`, config: true },
  // Talks only through the plugin: it must not even know the owner's server.
  { name: 'consumer', from: 'consumer', to: `${DIST}/consumer`, config: false },
  // Its own AppID and package: it talks to the merchant's server, like the shop.
  { name: 'cashier', from: 'cashier', to: `${DIST}/cashier`, config: true },
] as const;

const ASSETS = ['wxml', 'json', 'wxs'];
const IMAGES = ['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp'];
/** Generated per root from the environment; the source file only holds local defaults. */
const CONFIG_MODULE = 'build-config';

/**
 * Where a DevTools tap pays in a development build (plugin/components/pay-button/sandbox-payer.ts).
 * Default: the local sandbox when the server is the local default too; a build for any other
 * server (a release) gets none, and then the payer module is replaced by an empty one.
 */
function sandboxUrlOf(env: NodeJS.ProcessEnv): string {
  if (env.MP_SANDBOX_URL !== undefined) return env.MP_SANDBOX_URL;
  return env.MP_API_BASE_URL === undefined ? 'http://127.0.0.1:3100' : '';
}
const SANDBOX_PAYER = 'components/pay-button/sandbox-payer';

type Root = (typeof roots)[number];

/**
 * Minified by default: plugin code counts against the host's package size and the bench keeps
 * plugin + functional pages under 16 KB. `MP_MINIFY=0` keeps the output readable for debugging.
 */
const MINIFY = process.env.MP_MINIFY !== '0';

interface BuiltFile {
  contents: Buffer | null;
  extname: string;
}

/** Rewrites each file's text; a gulp plugin is not worth a dependency for this. */
function rewrite(change: (text: string, file: BuiltFile) => Promise<string> | string): Transform {
  return new Transform({
    objectMode: true,
    transform(file: BuiltFile, _encoding, done) {
      if (!MINIFY || !file.contents) return done(null, file);
      Promise.resolve(change(file.contents.toString('utf8'), file)).then((text) => {
        file.contents = Buffer.from(text, 'utf8');
        done(null, file);
      }, done);
    },
  });
}

async function minifyJs(code: string): Promise<string> {
  // toplevel is safe: WeChat wraps every file in its own module function, like CommonJS.
  const out = await minify(code, {
    ecma: 2017,
    toplevel: true,
    compress: { passes: 2 },
    format: { comments: false },
  });
  return out.code ?? code;
}

function minifyWxss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};:,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

/**
 * Build-time configuration, from the environment, never a secret. Defaults suit the local
 * sandbox and match each root's `build-config.ts`, which tests load from source.
 */
const VERSIONS = ['develop', 'trial', 'release'];
function buildConfigSource(env: NodeJS.ProcessEnv, root: Root): string {
  const apiBaseUrl = env.MP_API_BASE_URL ?? 'http://127.0.0.1:3000';
  const version = env.MP_FUNCTIONAL_PAGE_VERSION ?? 'develop';
  const timeout = Number(env.MP_REQUEST_TIMEOUT_MS ?? 10000);
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(apiBaseUrl) || apiBaseUrl.endsWith('/')) {
    throw new Error(
      `MP_API_BASE_URL must be an http(s) URL without a trailing slash: ${apiBaseUrl}`,
    );
  }
  if (!VERSIONS.includes(version)) {
    throw new Error(`MP_FUNCTIONAL_PAGE_VERSION must be one of ${VERSIONS.join('|')}: ${version}`);
  }
  if (!Number.isInteger(timeout) || timeout < 1000 || timeout > 60000) {
    throw new Error(`MP_REQUEST_TIMEOUT_MS must be an integer from 1000 to 60000: ${timeout}`);
  }
  return [
    '"use strict";',
    '// Generated by gulpfile.ts from the build environment. Do not edit.',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    `exports.API_BASE_URL = ${JSON.stringify(apiBaseUrl)};`,
    // The cashier pays with wx.requestPayment in itself: it never opens a functional page.
    ...(root.name === 'cashier'
      ? []
      : [`exports.FUNCTIONAL_PAGE_VERSION = ${JSON.stringify(version)};`]),
    `exports.REQUEST_TIMEOUT_MS = ${timeout};`,
    ...(root.name === 'plugin'
      ? [`exports.SANDBOX_URL = ${JSON.stringify(sandboxUrlOf(env))};`]
      : []),
    '',
  ].join('\n');
}

function compileTs(root: Root) {
  // A fresh project per run: gulp-typescript keeps state between builds otherwise.
  const project = ts.createProject('tsconfig.miniprogram.json', {
    isolatedModules: true,
    // Comments cost bytes in the shipped bundle and must never carry anything sensitive.
    removeComments: true,
    composite: false,
    declaration: false,
    emitDeclarationOnly: false,
    noEmit: false,
    rootDir: undefined,
  });
  // Without a sandbox the DevTools payer is not compiled at all (writeSandboxPayerStub).
  const skipped =
    root.name === 'plugin' && !sandboxUrlOf(process.env)
      ? [`!${root.from}/${SANDBOX_PAYER}.ts`]
      : [];
  const task = () =>
    src([`${root.from}/**/*.ts`, `!${root.from}/${CONFIG_MODULE}.ts`, ...skipped], {
      since: lastRun(task),
    })
      .pipe(project())
      .js.pipe(rewrite(minifyJs))
      .pipe(dest(root.to));
  task.displayName = `ts:${root.name}`;
  return task;
}

function copyAssets(root: Root) {
  const task = () =>
    src([`${root.from}/**/*.{${ASSETS.join(',')}}`, `!${root.from}/**/tsconfig*.json`], {
      since: lastRun(task),
    })
      .pipe(rewrite(minifyAsset))
      .pipe(dest(root.to));
  task.displayName = `assets:${root.name}`;
  return task;
}

function compileWxss(root: Root) {
  const task = () =>
    src(`${root.from}/**/*.wxss`, { since: lastRun(task) })
      .pipe(rewrite(minifyWxss))
      .pipe(dest(root.to));
  task.displayName = `wxss:${root.name}`;
  return task;
}

/** Comments and indentation only: whitespace inside a tag's text is left alone. */
function minifyWxml(wxml: string): string {
  return wxml
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/>\s+</g, '><')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

function minifyAsset(text: string, file: BuiltFile): string {
  if (file.extname === '.json') return JSON.stringify(JSON.parse(text));
  if (file.extname === '.wxml') return minifyWxml(text);
  return text;
}

function copyImages(root: Root) {
  // encoding: false, or gulp 5 reads images as UTF-8 and corrupts them.
  const task = () =>
    src(`${root.from}/**/*.{${IMAGES.join(',')}}`, {
      encoding: false,
      since: lastRun(task),
      allowEmpty: true,
    }).pipe(dest(root.to));
  task.displayName = `images:${root.name}`;
  return task;
}

function writeConfig(root: Root) {
  const task = async () => {
    const file = path.join(root.to, `${CONFIG_MODULE}.js`);
    await fs.mkdir(root.to, { recursive: true });
    await fs.writeFile(file, buildConfigSource(process.env, root));
    if (root.name === 'plugin' && !sandboxUrlOf(process.env)) {
      // A release build: the pay-button's DevTools payer is an empty module.
      const stub = path.join(root.to, `${SANDBOX_PAYER}.js`);
      await fs.mkdir(path.dirname(stub), { recursive: true });
      await fs.writeFile(
        stub,
        '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.payInSandbox = undefined;\n',
      );
    }
  };
  task.displayName = `config:${root.name}`;
  return task;
}

/**
 * The plugin version the owner app's app.json declares (`MP_PLUGIN_VERSION`, default the
 * package's). "dev" names the local plugin and DevTools accepts it only in a plugin project
 * (compileType "plugin", the repository root): the owner app, opened as a mini program project
 * (devtools/owner/), must name a released one, 数字.数字.数字 with each at most 999.
 */
function ownerPluginVersion(env: NodeJS.ProcessEnv): string {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const version = env.MP_PLUGIN_VERSION ?? pkg.version;
  if (version === 'dev') {
    throw new Error(
      'MP_PLUGIN_VERSION must be a released plugin version: "dev" is valid only in a plugin project',
    );
  }
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(version)) {
    throw new Error(
      `MP_PLUGIN_VERSION must be a released version x.y.z (each at most 999): ${version}`,
    );
  }
  return version;
}

interface CopiedFile {
  relative: string;
  contents: Buffer | null;
}

/**
 * dist/owner/: the built owner app again, for its own DevTools project (devtools/owner/), whose
 * develop build is previewed on a phone so the plugin's `version: "develop"` pay reaches its
 * functional page. Only app.json differs: every plugin it declares at ownerPluginVersion().
 */
export function owner(): NodeJS.ReadWriteStream {
  const version = ownerPluginVersion(process.env);
  return src(`${DIST}/miniprogram/**/*`, { encoding: false })
    .pipe(
      new Transform({
        objectMode: true,
        transform(file: CopiedFile, _encoding, done) {
          if (file.relative === 'app.json' && file.contents) {
            const app = JSON.parse(file.contents.toString('utf8')) as {
              plugins?: Record<string, { version?: string }>;
            };
            for (const plugin of Object.values(app.plugins ?? {})) plugin.version = version;
            const text = MINIFY ? JSON.stringify(app) : `${JSON.stringify(app, null, 2)}\n`;
            file.contents = Buffer.from(text, 'utf8');
          }
          done(null, file);
        },
      }),
    )
    .pipe(dest(`${DIST}/owner`));
}

const perRoot = (make: (root: Root) => () => NodeJS.ReadWriteStream | Promise<void>) =>
  roots.map(make);

export async function clean(): Promise<void> {
  await fs.rm(DIST, { recursive: true, force: true });
}

const compileAll = parallel(
  ...perRoot(compileTs),
  ...perRoot(copyAssets),
  ...perRoot(compileWxss),
  ...perRoot(copyImages),
  ...roots.filter((root) => root.config).map(writeConfig),
);

/** Clean first: a source file deleted or renamed must not leave its old output in dist/. */
export const build = series(clean, compileAll, owner);

export function watch(): void {
  for (const root of roots) {
    gulpWatch(`${root.from}/**/*.ts`, { ignoreInitial: true }, compileTs(root));
    gulpWatch(`${root.from}/**/*.{${ASSETS.join(',')}}`, { ignoreInitial: true }, copyAssets(root));
    gulpWatch(`${root.from}/**/*.wxss`, { ignoreInitial: true }, compileWxss(root));
    gulpWatch(`${root.from}/**/*.{${IMAGES.join(',')}}`, { ignoreInitial: true }, copyImages(root));
  }
  gulpWatch(`${DIST}/miniprogram/**/*`, { ignoreInitial: true }, owner);
  console.log(
    '[watch] rebuilding changed files under miniprogram/, functional-pages/, plugin/, consumer/, cashier/ (and dist/owner/)',
  );
}

export default build;
