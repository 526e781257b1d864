import type { Sandbox } from '../../sandbox';
import { http, startSandbox, tempCredentialsDir } from './support';

let sandbox: Sandbox;
const creds = tempCredentialsDir();

beforeAll(async () => {
  sandbox = await startSandbox(creds.dir);
});
afterAll(async () => {
  await sandbox.close();
  creds.remove();
});

test('GET /healthz answers ok, unsigned and outside the v3 wire rules', async () => {
  const r = await http(`${sandbox.url}/healthz`);
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text)).toEqual({ status: 'ok' });
  expect(r.headers['wechatpay-signature']).toBeUndefined();
});
