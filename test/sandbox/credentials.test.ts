import { waitFor as sharedWaitFor } from '../../dev/wait-for';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSandbox } from '../../sandbox';
import {
  createAndPay,
  getJson,
  http,
  MerchantClient,
  mintOpenid,
  NotifyReceiver,
  startSandbox,
  tempCredentialsDir,
} from './support';

const creds = tempCredentialsDir();
afterAll(() => creds.remove());

describe('credentials', () => {
  test('first start writes the merchant files; a restart reuses everything (openids included)', async () => {
    const first = await startSandbox(creds.dir);
    const openid = await mintOpenid(first, 'same-user');
    const c = first.credentials;
    await first.close();

    const merchant = join(creds.dir, 'merchant');
    expect(first.merchantCredentialsDir).toBe(merchant);
    const config = JSON.parse(readFileSync(join(merchant, 'config.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Object.keys(config).sort()).toEqual(
      [
        'apiV3Key',
        'appId',
        'appSecret',
        'mchId',
        'merchantSerialNo',
        'platformCertSerialNo',
        'platformPublicKeyId',
        'pluginAppId',
        'pluginToken',
        'apiV2Key',
        'spMchId',
        'subMchIds',
        'unboundSubMchId',
        'aggregatorMchId',
        'aggregatorKey',
        'aggregatorAppId',
        'cashierApp',
      ].sort(),
    );
    expect(config.apiV2Key).toMatch(/^[A-Za-z0-9]{32}$/);
    const partnerIds = [config.spMchId, ...c.subMchIds, c.unboundSubMchId];
    for (const id of partnerIds) expect(id).toMatch(/^1\d{9}$/);
    expect(new Set([config.mchId, ...partnerIds]).size).toBe(6);
    expect(c.subMchIds).toHaveLength(3);
    // The client certificate is the merchant key's, with the v3 serial and CN = mchid.
    const cert = new X509Certificate(readFileSync(join(merchant, 'apiclient_cert.pem'), 'utf8'));
    expect(cert.toString()).toBe(new X509Certificate(c.merchantCertPem).toString());
    expect(cert.serialNumber.replace(/^00/, '')).toBe(c.merchantSerialNo);
    expect(cert.subject).toContain(`CN=${c.mchId}`);
    expect(cert.checkPrivateKey(createPrivateKey(c.merchantPrivateKeyPem))).toBe(true);
    const tls = new X509Certificate(readFileSync(join(merchant, 'sandbox_tls_cert.pem'), 'utf8'));
    expect(tls.subjectAltName).toBe(
      'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost',
    );
    expect(
      tls.checkPrivateKey(
        createPrivateKey(readFileSync(join(creds.dir, 'sandbox', 'tls_key.pem'))),
      ),
    ).toBe(true);
    expect(statSync(join(creds.dir, 'sandbox', 'tls_key.pem')).mode & 0o077).toBe(0);
    expect(config.appId).toMatch(/^wx[0-9a-f]{16}$/);
    expect(config.pluginAppId).toMatch(/^wx[0-9a-f]{16}$/);
    expect(config.pluginToken).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(config.mchId).toMatch(/^\d{10}$/);
    expect(config.merchantSerialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(config.platformCertSerialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(config.platformPublicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(config.apiV3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(readFileSync(join(merchant, 'apiclient_key.pem'), 'utf8')).toBe(c.merchantPrivateKeyPem);
    expect(c.merchantPrivateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPrivateKey(c.merchantPrivateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(
      2048,
    );
    expect(readFileSync(join(merchant, 'pub_key.pem'), 'utf8')).toBe(c.platformPublicKeyPem);
    expect(readFileSync(join(merchant, 'platform_cert_public.pem'), 'utf8')).toBe(
      c.platformCertPublicKeyPem,
    );
    expect(
      createPublicKey(c.platformPublicKeyPem).export({ format: 'der', type: 'spki' }),
    ).not.toEqual(
      createPublicKey(c.platformCertPublicKeyPem).export({ format: 'der', type: 'spki' }),
    );
    expect(statSync(join(merchant, 'apiclient_key.pem')).mode & 0o077).toBe(0);

    const second = await startSandbox(creds.dir);
    try {
      expect(second.credentials).toEqual(c);
      expect(await mintOpenid(second, 'same-user')).toBe(openid);
      // The old merchant key still signs valid requests against the restarted sandbox.
      const r = await new MerchantClient(second).call(
        'GET',
        `/v3/pay/transactions/out-trade-no/ABCDEF?mchid=${c.mchId}`,
      );
      expect(r.status).toBe(404);
      expect(r.verified).toBe(true);
    } finally {
      await second.close();
    }
  });

  test('a folder from before API v2 and partner mode is upgraded once, keeping the rest', async () => {
    const first = await startSandbox(creds.dir);
    const before = first.credentials;
    await first.close();
    const configPath = join(creds.dir, 'merchant', 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    for (const key of [
      'apiV2Key',
      'spMchId',
      'subMchIds',
      'unboundSubMchId',
      'aggregatorMchId',
      'aggregatorKey',
      'aggregatorAppId',
    ])
      delete config[key];
    writeFileSync(configPath, JSON.stringify(config));
    for (const rel of [
      'merchant/apiclient_cert.pem',
      'merchant/sandbox_tls_cert.pem',
      'sandbox/tls_key.pem',
    ]) {
      rmSync(join(creds.dir, rel));
    }
    const upgraded = await startSandbox(creds.dir);
    const after = upgraded.credentials;
    await upgraded.close();
    expect(after.mchId).toBe(before.mchId);
    expect(after.merchantPrivateKeyPem).toBe(before.merchantPrivateKeyPem);
    expect(after.apiV2Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(after.spMchId).not.toBe(after.mchId);
    expect(after.aggregatorKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(after.aggregatorAppId).toMatch(/^wx[0-9a-f]{16}$/);
    expect(new X509Certificate(after.merchantCertPem).serialNumber.replace(/^00/, '')).toBe(
      after.merchantSerialNo,
    );
    const again = await startSandbox(creds.dir);
    expect(again.credentials).toEqual(after);
    await again.close();
  });

  test('options are validated; close() is idempotent', async () => {
    await expect(createSandbox({ credentialsDir: creds.dir, timeScale: 0 })).rejects.toThrow(
      'timeScale',
    );
    const s = await startSandbox(creds.dir);
    await Promise.all([s.close(), s.close()]);
  });

  test('close() stops pending deliveries and retries', async () => {
    // timeScale 0.01: the 15 s retry gaps last 150 ms, so an open sandbox retries quickly.
    const s = await startSandbox(creds.dir, { timeScale: 0.01 });
    const receiver = await new NotifyReceiver(() => 500).start();
    try {
      await createAndPay(new MerchantClient(s), await mintOpenid(s, 'u'), receiver.url);
      // Control: while the sandbox is open, a refused delivery is retried.
      await receiver.waitFor(2);
      await s.close();
      const delivered = receiver.received.length;
      // Longer than the next two retry gaps (150 ms, 300 ms): a sandbox still retrying would post again.
      await new Promise((r) => setTimeout(r, 700));
      expect(receiver.received.length).toBe(delivered);
    } finally {
      await s.close();
      await receiver.close();
    }
  });
});

describe('control views and the inspection page', () => {
  test('orders, notifications and GET /sandbox show what happened, without secrets', async () => {
    const s = await startSandbox(creds.dir);
    const receiver = await new NotifyReceiver().start();
    try {
      const client = new MerchantClient(s);
      const { outTradeNo } = await createAndPay(
        client,
        await mintOpenid(s, 'viewer'),
        receiver.url,
        {
          description: '<script>alert(1)</script>',
        },
      );
      await receiver.waitFor(1);
      const orders = (await getJson(`${s.url}/sandbox/orders`)).orders as Record<string, unknown>[];
      expect(orders).toHaveLength(1);
      expect(orders[0]).toMatchObject({ outTradeNo, state: 'SUCCESS', total: 100 });
      const one = await getJson(`${s.url}/sandbox/orders/${outTradeNo}`);
      expect((one.notifications as unknown[]).length).toBe(1);
      expect((await http(`${s.url}/sandbox/orders/NOPE`)).status).toBe(404);

      const page = await http(`${s.url}/sandbox`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain(outTradeNo);
      expect(page.text).toContain('TRANSACTION.SUCCESS');
      expect(page.text).not.toContain('<script>alert(1)</script>');
      for (const text of [
        page.text,
        JSON.stringify(orders),
        JSON.stringify(await getJson(`${s.url}/sandbox/notifications`)),
      ]) {
        expect(text).not.toContain(s.credentials.apiV3Key);
        expect(text).not.toContain(s.credentials.apiV2Key);
        expect(text).not.toContain(s.credentials.appSecret);
        expect(text).not.toContain('PRIVATE KEY');
      }
      const clock = await getJson(`${s.url}/sandbox/clock`);
      expect(clock).toMatchObject({ offsetSeconds: 0, timeScale: 0.001 });
      expect(clock.now).toMatch(/\+08:00$/);
      const bad = await http(`${s.url}/sandbox/clock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"advanceSeconds":-1}',
      });
      expect(bad.status).toBe(400);
    } finally {
      await s.close();
      await receiver.close();
    }
  });
});

const children: ChildProcess[] = [];
// A failed expectation must not leave a sandbox running (jest would never exit).
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill();
});

/** Starts `sandbox/main.ts` as `npm run sandbox` does; `output()` is its stdout + stderr so far. */
function spawnSandboxMain(env: Record<string, string>) {
  const root = resolve(__dirname, '..', '..');
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'sandbox', 'main.ts')],
    {
      env: {
        ...process.env,
        SANDBOX_PORT: '0',
        SANDBOX_TLS_PORT: '0',
        SANDBOX_CREDENTIALS_DIR: creds.dir,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const waitFor = async (text: string): Promise<void> => {
    await sharedWaitFor(`"${text}" in the output`, () => out.includes(text), 15_000, 50);
  };
  return { child, exited, waitFor, output: () => out };
}

describe('npm run sandbox (sandbox/main.ts)', () => {
  test('prints its URL, the page and the credentials dir; SIGTERM closes cleanly', async () => {
    const { child, exited, waitFor, output } = spawnSandboxMain({ SANDBOX_TIME_SCALE: '0.5' });
    await waitFor('(unbound: ');
    const out = output();
    expect(out).toMatch(/TLS \(mutual TLS\): https:\/\/127\.0\.0\.1:\d+\/secapi\/pay\/refund/);
    expect(out).toMatch(/service provider sp_mchid 1\d{9}/);
    expect(out).toMatch(/WeChat sandbox listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/inspection page: +http:\/\/127\.0\.0\.1:\d+\/sandbox/);
    expect(out).toContain(join(creds.dir, 'merchant'));
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
    const clock = await getJson(`${url}/sandbox/clock`);
    expect(clock.timeScale).toBe(0.5);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 20_000);

  test('SANDBOX_LOG=1 logs requests, but never the app secret of a code2Session URL', async () => {
    const { child, exited, waitFor, output } = spawnSandboxMain({ SANDBOX_LOG: '1' });
    await waitFor('merchant credentials written to');
    const url = /listening on (http:\/\/\S+)/.exec(output())?.[1] ?? '';
    const merchant = JSON.parse(
      readFileSync(join(creds.dir, 'merchant', 'config.json'), 'utf8'),
    ) as { appId: string; appSecret: string };
    const q = new URLSearchParams({
      appid: merchant.appId,
      secret: merchant.appSecret,
      js_code: 'no-such-code',
      grant_type: 'authorization_code',
    });
    const res = await http(`${url}/sns/jscode2session?${q.toString()}`);
    expect(res.status).toBe(200);
    await waitFor('/sns/jscode2session?[Redacted]');
    expect(output()).toContain('"url":"/sns/jscode2session?[Redacted]"');
    expect(output()).not.toContain(merchant.appSecret);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 20_000);
});
