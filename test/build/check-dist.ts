/**
 * Checks the built WeChat side (dist/) for the rules WeChat and our security model impose:
 *  1. functional-pages/ requires nothing outside itself, and nothing outside requires into it;
 *  2. every page, public component and usingComponents entry resolves to built .js/.json/.wxml;
 *  3. no private key, app secret, APIv3 key or session_key appears anywhere in dist/.
 * Returns a list of problems (empty = good) so tests can plant faults and see them caught.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface DistLayout {
  /** dist/miniprogram */
  miniprogram: string;
  /** dist/plugin */
  plugin: string;
}

export function layoutOf(distDir: string): DistLayout {
  return { miniprogram: path.join(distDir, 'miniprogram'), plugin: path.join(distDir, 'plugin') };
}

const REQUIRE = /\brequire\(\s*(['"`])([^'"`]+)\1\s*\)/g;
const BUILT_EXTENSIONS = ['.js', '.json', '.wxml'];
/** Names that must never appear in anything shipped to a phone. */
const SECRET_PATTERNS: ReadonlyArray<[string, RegExp]> = [
  ['a PEM private key', /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/],
  ['session_key', /session_key|sessionKey/],
  ['an app secret', /app_?secret|appSecret/i],
  ['an APIv3 key', /api_?v3_?key/i],
  ['a merchant private key file', /apiclient_key/],
];

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function requiresOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(REQUIRE)].map((m) => m[2] ?? '');
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function checkFunctionalPages(layout: DistLayout): string[] {
  const fpDir = path.join(layout.miniprogram, 'functional-pages');
  const problems: string[] = [];
  if (!existsSync(path.join(fpDir, 'request-payment.js'))) {
    problems.push('functional-pages/request-payment.js is missing from dist/miniprogram');
  }
  const allJs = [...walk(layout.miniprogram), ...walk(layout.plugin)].filter((f) =>
    f.endsWith('.js'),
  );
  for (const file of allJs) {
    const inside = isInside(file, fpDir);
    for (const spec of requiresOf(file)) {
      const relative = spec.startsWith('.') || spec.startsWith('/');
      if (inside && !relative) {
        problems.push(
          `${file} requires package "${spec}": functional pages ship no npm package code`,
        );
        continue;
      }
      if (!relative) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (inside && !isInside(target, fpDir)) {
        problems.push(`${file} requires "${spec}", outside functional-pages/`);
      }
      if (!inside && isInside(target, fpDir)) {
        problems.push(`${file} requires "${spec}": nothing outside may require functional-pages/`);
      }
    }
  }
  return problems;
}

function missingBuiltFiles(base: string, label: string): string[] {
  return BUILT_EXTENSIONS.filter((ext) => !existsSync(base + ext)).map(
    (ext) => `${label} has no built ${path.basename(base)}${ext}`,
  );
}

function checkComponentGraph(layout: DistLayout): string[] {
  const problems: string[] = [];
  const appJsonFile = path.join(layout.miniprogram, 'app.json');
  const pluginJsonFile = path.join(layout.plugin, 'plugin.json');
  if (!existsSync(appJsonFile)) return ['dist/miniprogram/app.json is missing'];
  if (!existsSync(pluginJsonFile)) return ['dist/plugin/plugin.json is missing'];
  const app = readJson(appJsonFile);
  const plugin = readJson(pluginJsonFile);

  for (const page of (app.pages as string[] | undefined) ?? []) {
    problems.push(
      ...missingBuiltFiles(path.join(layout.miniprogram, page), `app.json page ${page}`),
    );
  }
  const publicComponents = (plugin.publicComponents as Record<string, string> | undefined) ?? {};
  for (const [name, rel] of Object.entries(publicComponents)) {
    problems.push(...missingBuiltFiles(path.join(layout.plugin, rel), `plugin component ${name}`));
  }
  for (const [name, rel] of Object.entries((plugin.pages as Record<string, string>) ?? {})) {
    problems.push(...missingBuiltFiles(path.join(layout.plugin, rel), `plugin page ${name}`));
  }
  if (typeof plugin.main === 'string' && !existsSync(path.join(layout.plugin, plugin.main))) {
    problems.push(`plugin.json main ${plugin.main} is not built`);
  }

  const aliases = Object.keys((app.plugins as Record<string, unknown> | undefined) ?? {});
  for (const [root, rootDir] of [
    ['miniprogram', layout.miniprogram],
    ['plugin', layout.plugin],
  ] as const) {
    for (const jsonFile of walk(rootDir).filter((f) => f.endsWith('.json'))) {
      const using = readJson(jsonFile).usingComponents as Record<string, string> | undefined;
      for (const [tag, ref] of Object.entries(using ?? {})) {
        const where = `${path.relative(rootDir, jsonFile)} usingComponents.${tag}`;
        const pluginRef = /^plugin:\/\/([^/]+)\/(.+)$/.exec(ref);
        if (pluginRef) {
          const [, alias, component] = pluginRef;
          if (!aliases.includes(alias ?? '')) {
            problems.push(`${where}: plugin alias "${alias}" is not declared in app.json plugins`);
          } else if (!((component ?? '') in publicComponents)) {
            problems.push(`${where}: plugin has no public component "${component}"`);
          }
          continue;
        }
        const base = ref.startsWith('/')
          ? path.join(rootDir, ref)
          : path.resolve(path.dirname(jsonFile), ref);
        problems.push(...missingBuiltFiles(base, `${root} ${where}`));
      }
    }
  }
  return problems;
}

function checkSecrets(distDir: string, knownSecrets: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of walk(distDir)) {
    const text = readFileSync(file, 'latin1');
    for (const [what, pattern] of SECRET_PATTERNS) {
      if (pattern.test(text)) problems.push(`${file} contains ${what} (${pattern})`);
    }
    for (const secret of knownSecrets) {
      if (secret.length >= 8 && text.includes(secret)) {
        problems.push(`${file} contains a configured secret value`);
      }
    }
  }
  return problems;
}

/** Secret values the dev sandbox generated, if any, so a leak of the value itself is caught. */
export function knownDevSecrets(credentialsDir: string): string[] {
  const file = path.join(credentialsDir, 'merchant', 'config.json');
  if (!existsSync(file)) return [];
  const config = readJson(file);
  return ['appSecret', 'apiV3Key']
    .map((k) => config[k])
    .filter((v): v is string => typeof v === 'string');
}

export function checkDist(distDir: string, knownSecrets: readonly string[] = []): string[] {
  const layout = layoutOf(distDir);
  return [
    ...checkFunctionalPages(layout),
    ...checkComponentGraph(layout),
    ...checkSecrets(distDir, knownSecrets),
  ];
}
