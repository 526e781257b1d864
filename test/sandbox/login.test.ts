import { http, postJson, putJson, useSandbox } from './support';

const env = useSandbox();

async function code(user: string, appid?: string): Promise<{ code: string; openid: string }> {
  const r = await postJson(
    `${env.sandbox.url}/sandbox/login-code`,
    appid ? { user, appid } : { user },
  );
  expect(r.status).toBe(200);
  expect(r.json.expiresIn).toBe(300);
  return r.json as { code: string; openid: string };
}

async function code2Session(
  params: Record<string, string>,
): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  const r = await http(
    `${env.sandbox.url}/sns/jscode2session?${new URLSearchParams(params).toString()}`,
  );
  return {
    status: r.status,
    type: String(r.headers['content-type']),
    body: JSON.parse(r.text) as Record<string, unknown>,
  };
}

function valid(jsCode: string): Record<string, string> {
  return {
    appid: env.sandbox.credentials.appId,
    secret: env.sandbox.credentials.appSecret,
    js_code: jsCode,
    grant_type: 'authorization_code',
  };
}

describe('code2Session', () => {
  test('a minted code gives openid + session_key once; openid is stable per (appid, user)', async () => {
    const a = await code('alice');
    const r = await code2Session(valid(a.code));
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.body.openid).toBe(a.openid);
    expect(r.body.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(typeof r.body.session_key).toBe('string');
    expect(Buffer.from(r.body.session_key as string, 'base64')).toHaveLength(16);
    expect(r.body).not.toHaveProperty('errcode');

    const again = await code2Session(valid(a.code));
    expect(again.body.errcode).toBe(40163);
    expect(again.body.errmsg).toMatch(/^code been used, rid: /);

    expect((await code('alice')).openid).toBe(a.openid);
    expect((await code('bob')).openid).not.toBe(a.openid);
    expect((await code('alice', env.sandbox.otherApp.appId)).openid).not.toBe(a.openid);
  });

  test('unknown, expired and cross-app codes are 40029', async () => {
    expect((await code2Session(valid('nope'))).body.errcode).toBe(40029);
    const other = await code('carol', env.sandbox.otherApp.appId);
    expect((await code2Session(valid(other.code))).body.errcode).toBe(40029);
    // The same code is fine for the app it was minted for.
    const ok = await code2Session({
      ...valid(other.code),
      appid: env.sandbox.otherApp.appId,
      secret: env.sandbox.otherApp.appSecret,
    });
    expect(ok.body.openid).toBe(other.openid);

    const late = await code('dave');
    await postJson(`${env.sandbox.url}/sandbox/clock`, { advanceSeconds: 301 });
    const r = await code2Session(valid(late.code));
    expect(r.body.errcode).toBe(40029);
    expect(r.body.errmsg).toMatch(/^invalid code, rid: /);
  });

  test('wrong appid / secret / missing fields give the real errcodes and consume nothing', async () => {
    const c = await code('erin');
    expect(
      (await code2Session({ ...valid(c.code), appid: 'wx0000000000000000' })).body.errcode,
    ).toBe(40013);
    expect((await code2Session({ ...valid(c.code), secret: 'x'.repeat(32) })).body.errcode).toBe(
      40125,
    );
    expect(
      (await code2Session({ ...valid(c.code), grant_type: 'client_credential' })).body.errcode,
    ).toBe(40002);
    const { appid: _a, ...noAppid } = valid(c.code);
    expect((await code2Session(noAppid)).body.errcode).toBe(41002);
    const { secret: _s, ...noSecret } = valid(c.code);
    expect((await code2Session(noSecret)).body.errcode).toBe(41004);
    const { js_code: _c, ...noCode } = valid(c.code);
    expect((await code2Session(noCode)).body.errcode).toBe(41008);
    // None of the failures used the code up.
    expect((await code2Session(valid(c.code))).body.openid).toBe(c.openid);
  });

  test('faults: 45011, 40226 and -1 through the fault API, with times', async () => {
    const put = await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'code2session', kind: 'rate_limited', times: 1 },
      { endpoint: 'code2session', kind: 'high_risk_user', times: 1 },
    ]);
    expect(put.status).toBe(200);
    const c = await code('frank');
    // Both fire on the first call; rate limiting wins, then the high-risk one is spent too.
    expect((await code2Session(valid(c.code))).body.errcode).toBe(45011);
    expect((await code2Session(valid(c.code))).body.openid).toBe(c.openid);

    await putJson(`${env.sandbox.url}/sandbox/faults`, [
      { endpoint: 'code2session', kind: 'high_risk_user', times: 1 },
    ]);
    const c2 = await code('gina');
    expect((await code2Session(valid(c2.code))).body.errcode).toBe(40226);
    await putJson(`${env.sandbox.url}/sandbox/faults`, {
      faults: [{ endpoint: 'code2session', kind: 'system_error' }],
    });
    const r = await code2Session(valid(c2.code));
    expect(r.body.errcode).toBe(-1);
    await http(`${env.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
    expect((await code2Session(valid(c2.code))).body.openid).toBe(c2.openid);
  });

  test('login-code control input is validated', async () => {
    expect((await postJson(`${env.sandbox.url}/sandbox/login-code`, {})).status).toBe(400);
    expect((await postJson(`${env.sandbox.url}/sandbox/login-code`, { user: 5 })).status).toBe(400);
    const r = await postJson(`${env.sandbox.url}/sandbox/login-code`, {
      user: 'x',
      appid: 'wx1234',
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('UNKNOWN_APPID');
  });
});
