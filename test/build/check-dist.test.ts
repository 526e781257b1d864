import { appendFileSync, cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DIST, ROOT, ensureBuilt } from '../../dev/dist';
import { checkDist, knownDevSecrets } from './check-dist';

let copy: string;

beforeAll(ensureBuilt);

beforeEach(() => {
  copy = mkdtempSync(path.join(tmpdir(), 'dist-check-'));
  cpSync(DIST, copy, { recursive: true });
});

afterEach(() => rmSync(copy, { recursive: true, force: true }));

const fp = (...parts: string[]) => path.join(copy, 'miniprogram', 'functional-pages', ...parts);

test('the real build passes every rule', () => {
  expect(checkDist(DIST, knownDevSecrets(path.join(ROOT, '.dev-credentials')))).toEqual([]);
});

test('a functional page requiring a file outside its folder is caught', () => {
  appendFileSync(fp('request-payment.js'), '\nrequire("../pages/order-confirm/index");\n');
  expect(checkDist(copy)).toEqual([expect.stringContaining('outside functional-pages/')]);
});

test('a functional page requiring an npm package is caught', () => {
  appendFileSync(fp('request-payment.js'), '\nrequire("fastify");\n');
  expect(checkDist(copy)).toEqual([expect.stringContaining('ship no npm package code')]);
});

test('code outside requiring into functional-pages is caught', () => {
  appendFileSync(
    path.join(copy, 'miniprogram', 'app.js'),
    '\nrequire("./functional-pages/request-payment");\n',
  );
  expect(checkDist(copy)).toEqual([expect.stringContaining('nothing outside may require')]);
});

test('a page without its built template is caught', () => {
  unlinkSync(path.join(copy, 'miniprogram', 'pages', 'pay-result', 'index.wxml'));
  expect(checkDist(copy)).toEqual([
    expect.stringContaining('pages/pay-result/index has no built index.wxml'),
  ]);
});

test('a usingComponents entry pointing nowhere is caught', () => {
  const json = path.join(copy, 'miniprogram', 'pages', 'pay-result', 'index.json');
  writeFileSync(
    json,
    JSON.stringify({
      component: true,
      usingComponents: { x: '/components/missing/index', y: 'plugin://nope/pay-button' },
    }),
  );
  const problems = checkDist(copy);
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringContaining('usingComponents.x'),
      expect.stringContaining('plugin alias "nope"'),
    ]),
  );
});

test.each([
  ['a PEM private key', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----'],
  ['session_key', 'var s = res.data.session_key;'],
  ['an app secret', 'var appSecret = "x";'],
  ['an APIv3 key', 'var apiV3Key = "x";'],
])('%s planted in the plugin bundle is caught', (what, text) => {
  appendFileSync(path.join(copy, 'plugin', 'index.js'), `\n${text}\n`);
  expect(checkDist(copy)).toEqual([expect.stringContaining(`contains ${what}`)]);
});

test('a configured secret value planted in the bundle is caught', () => {
  const secret = 'e3b0c44298fc1c149afbf4c8996fb924';
  appendFileSync(path.join(copy, 'miniprogram', 'app.js'), `\nvar k = "${secret}";\n`);
  expect(checkDist(copy, [secret])).toEqual([expect.stringContaining('a configured secret value')]);
});
