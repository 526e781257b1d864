import { http, useSandbox } from './support';

const env = useSandbox();

test('GET /healthz answers ok, unsigned and outside the v3 wire rules', async () => {
  const r = await http(`${env.sandbox.url}/healthz`);
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text)).toEqual({ status: 'ok' });
  expect(r.headers['wechatpay-signature']).toBeUndefined();
});
