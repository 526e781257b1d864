import { createPublicKey } from 'node:crypto';
import {
  MerchantClient,
  jsapiBody,
  putJson,
  startSandbox,
  useSandbox,
  verifyWechatSignature,
} from './support';

const env = useSandbox({ user: 'sig-user' });
const NOTIFY = 'https://merchant.example.com/pay/notify';

function expectSignError(
  r: { status: number; json: Record<string, unknown> | undefined; verified: boolean },
  issue: RegExp,
): void {
  expect(r.status).toBe(401);
  expect(r.json?.code).toBe('SIGN_ERROR');
  expect(typeof r.json?.message).toBe('string');
  expect(String((r.json?.detail as Record<string, unknown>).issue)).toMatch(issue);
  // Errors are signed too.
  expect(r.verified).toBe(true);
}

describe('request signatures (merchant → sandbox)', () => {
  test('a correctly signed POST and GET succeed, with Request-ID and a verifiable answer', async () => {
    const body = jsapiBody(env.sandbox, env.openid, NOTIFY);
    const r = await env.client.call('POST', '/v3/pay/transactions/jsapi', body);
    expect(r.status).toBe(200);
    expect(r.json?.prepay_id).toMatch(/^wx\d{14}[0-9a-z]{20}$/);
    expect(r.headers['request-id']).toMatch(/^[0-9A-F]{32}$/);
    expect(r.verified).toBe(true);
    const q = await env.client.query(body.out_trade_no as string);
    expect(q.status).toBe(200);
    expect(q.verified).toBe(true);
  });

  test('missing, malformed or foreign-scheme Authorization → 401 SIGN_ERROR', async () => {
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        authorization: null,
      }),
      /missing/,
    );
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        authorization: 'Bearer abc',
      }),
      /scheme/,
    );
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        authorization: 'WECHATPAY2-SHA256-RSA2048 mchid=1',
      }),
      /malformed/,
    );
  });

  test('forged signature, tampered body, unsigned query, probe signature → 401', async () => {
    const body = jsapiBody(env.sandbox, env.openid, NOTIFY);
    expectSignError(
      await env.client.call('POST', '/v3/pay/transactions/jsapi', body, {
        signature: Buffer.alloc(256, 7).toString('base64'),
      }),
      /does not verify/,
    );
    expectSignError(
      await env.client.call('POST', '/v3/pay/transactions/jsapi', body, {
        signedBody: JSON.stringify({ ...body, amount: { total: 1, currency: 'CNY' } }),
      }),
      /does not verify/,
    );
    // Re-serialising the body (different whitespace) breaks the signature: the raw bytes count.
    expectSignError(
      await env.client.call('POST', '/v3/pay/transactions/jsapi', JSON.stringify(body, null, 1), {
        signedBody: JSON.stringify(body),
      }),
      /does not verify/,
    );
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        signedPath: '/v3/pay/transactions/out-trade-no/ABCDEF',
      }),
      /does not verify/,
    );
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        signature: `WECHATPAY/SIGNTEST/${Buffer.alloc(32).toString('base64')}`,
      }),
      /does not verify/,
    );
    // Nothing was created by the rejected requests.
    const q = await env.client.query(body.out_trade_no as string);
    expect(q.status).toBe(404);
  });

  test('stale (> 5 min) or non-numeric timestamps, wrong serial, wrong mchid → 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        timestamp: String(now - 310),
      }),
      /5 minutes/,
    );
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        timestamp: String(now + 310),
      }),
      /5 minutes/,
    );
    expect(
      (
        await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
          timestamp: String(now - 290),
        })
      ).status,
    ).toBe(404);
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        timestamp: 'soon',
      }),
      /Unix seconds/,
    );
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        serial: 'A'.repeat(40),
      }),
      /serial_no/,
    );
    expectSignError(
      await env.client.call('GET', env.client.queryPath('ABCDEF'), undefined, {
        mchid: '1900000000',
      }),
      /mchid/,
    );
  });
});

describe('response signatures (sandbox → merchant)', () => {
  test('public-key mode by default; certificate mode switchable at runtime; keys are distinct', async () => {
    const c = env.sandbox.credentials;
    const r1 = await env.client.query('ABCDEF');
    expect(r1.headers['wechatpay-serial']).toBe(c.platformPublicKeyId);
    expect(c.platformPublicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(r1.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(r1.verified).toBe(true);
    // Verifying with the other mode's key must fail: the serial really selects the key.
    const wrongKey = new Map([
      [c.platformPublicKeyId, createPublicKey(c.platformCertPublicKeyPem)],
    ]);
    expect(verifyWechatSignature(wrongKey, r1.headers, r1.text)).toBe(false);

    expect(
      (await putJson(`${env.sandbox.url}/sandbox/settings`, { serialMode: 'certificate' })).status,
    ).toBe(200);
    const r2 = await env.client.query('ABCDEF');
    expect(r2.headers['wechatpay-serial']).toBe(c.platformCertSerialNo);
    expect(c.platformCertSerialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(r2.verified).toBe(true);
    expect((await putJson(`${env.sandbox.url}/sandbox/settings`, { serialMode: 'x' })).status).toBe(
      400,
    );
    await putJson(`${env.sandbox.url}/sandbox/settings`, { serialMode: 'publicKey' });
  });

  test('204 responses are signed over an empty body; timestamps are current', async () => {
    const r = await env.client.call('POST', `/v3/pay/transactions/out-trade-no/NOSUCH01/close`, {
      mchid: env.sandbox.credentials.mchId,
    });
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(r.verified).toBe(true);
    expect(Math.abs(Number(r.headers['wechatpay-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(r.headers['wechatpay-nonce']).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  test('bad_signature and probe_signature faults make responses fail verification', async () => {
    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'query', kind: 'bad_signature', times: 1 },
      { endpoint: 'close', kind: 'probe_signature', times: 1 },
    ]);
    const bad = await env.client.query('ABCDEF');
    expect(bad.status).toBe(404);
    expect(bad.verified).toBe(false);
    expect(Buffer.from(String(bad.headers['wechatpay-signature']), 'base64')).toHaveLength(256);
    const probe = await env.client.call(
      'POST',
      `/v3/pay/transactions/out-trade-no/NOSUCH01/close`,
      {
        mchid: env.sandbox.credentials.mchId,
      },
    );
    expect(probe.status).toBe(204);
    expect(String(probe.headers['wechatpay-signature'])).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(probe.verified).toBe(false);
    // times: 1 → the next answers are good again.
    expect((await env.client.query('ABCDEF')).verified).toBe(true);
  });

  test('SANDBOX serialMode option: certificate mode from the start', async () => {
    const other = await startSandbox(env.credentialsDir, { serialMode: 'certificate' });
    try {
      const r = await new MerchantClient(other).call('GET', env.client.queryPath('ABCDEF'));
      expect(r.headers['wechatpay-serial']).toBe(other.credentials.platformCertSerialNo);
      expect(r.verified).toBe(true);
    } finally {
      await other.close();
    }
  });
});
