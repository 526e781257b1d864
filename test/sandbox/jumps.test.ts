/**
 * Jumps between mini programs as the client reports them: POST /sandbox/jumps (each kind of bad
 * body refused with nothing kept), GET /sandbox/jumps in order, and the inspection page's
 * "Jumps between mini programs" section (named AppIDs, extraData escaped and cut).
 */
import { getJson, http, useSandbox, type HttpResult } from './support';

jest.setTimeout(20_000);

const env = useSandbox();

const report = (body: unknown, contentType = 'application/json'): Promise<HttpResult> =>
  http(`${env.sandbox.url}/sandbox/jumps`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

interface Listed {
  id: string;
  at: string;
  event: string;
  [field: string]: unknown;
}

const listed = async (): Promise<Listed[]> =>
  (await getJson(`${env.sandbox.url}/sandbox/jumps`)).jumps as Listed[];

const SHOP = 'wxshop000000000001';
const OTHER = 'wxother00000000001';

describe('POST /sandbox/jumps', () => {
  test('valid events are kept and listed oldest first, with id and the sandbox time', async () => {
    const before = (await listed()).length;
    const c = env.sandbox.credentials;
    const events = [
      {
        event: 'dialog',
        from: c.appId,
        to: c.aggregatorAppId,
        api: 'navigateToMiniProgram',
        kind: 'full-screen',
        answer: 'confirm',
        path: 'pages/pay/index?order=1',
        user: 'alice',
      },
      {
        event: 'open',
        from: c.appId,
        to: c.aggregatorAppId,
        api: 'navigateToMiniProgram',
        kind: 'full-screen',
        apiCategory: 'default',
        path: 'pages/pay/index?order=1',
        extraData: { out_trade_no: 'WP1', total_fee: '100' },
        user: 'alice',
      },
      {
        event: 'open',
        from: c.appId,
        to: c.cashierApp.appId,
        api: 'openEmbeddedMiniProgram',
        kind: 'fallback',
        reason: 'not-approved',
        apiCategory: 'default',
      },
      {
        event: 'return',
        from: c.aggregatorAppId,
        to: c.appId,
        api: 'navigateBackMiniProgram',
        extraData: { result: 'paid' },
      },
      {
        event: 'return',
        from: c.cashierApp.appId,
        to: c.appId,
        api: 'swipe-away',
        extraDataLost: true,
      },
    ];
    for (const e of events) {
      const r = await report(e);
      expect({ status: r.status, text: r.text }).toEqual({ status: 204, text: '' });
    }
    const all = await listed();
    expect(all).toHaveLength(before + events.length);
    const mine = all.slice(before);
    mine.forEach((row, i) => {
      const { id, at, ...fields } = row;
      expect(fields).toEqual(events[i]);
      expect(id).toMatch(/^jump_\d+$/);
      expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
      expect(Math.abs(Date.parse(at) - Date.now())).toBeLessThan(60_000);
    });
    expect(new Set(mine.map((r) => r.id)).size).toBe(events.length);
  });

  test('the time comes from the virtual clock', async () => {
    await http(`${env.sandbox.url}/sandbox/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 86_400 }),
    });
    const clock = await getJson(`${env.sandbox.url}/sandbox/clock`);
    const r = await report({
      event: 'dialog',
      from: SHOP,
      to: OTHER,
      api: 'navigateToMiniProgram',
      answer: 'cancel',
    });
    expect(r.status).toBe(204);
    const last = (await listed()).at(-1);
    expect(last?.answer).toBe('cancel');
    expect(Math.abs(Date.parse(String(last?.at)) - Number(clock.epochMs))).toBeLessThan(60_000);
  });

  const valid = {
    event: 'open',
    from: SHOP,
    to: OTHER,
    api: 'navigateToMiniProgram',
    kind: 'full-screen',
  };

  test.each<[string, unknown]>([
    ['no body', ''],
    ['not an object', [valid]],
    ['an unknown field', { ...valid, secret: 'x' }],
    ['an unknown event', { ...valid, event: 'close' }],
    ['no from', { ...valid, from: undefined }],
    ['an empty to', { ...valid, to: '' }],
    ['a too long AppID', { ...valid, to: 'x'.repeat(65) }],
    ['an unknown api', { ...valid, api: 'navigateTo' }],
    ['an unknown kind', { ...valid, kind: 'half' }],
    [
      'an unknown reason',
      { ...valid, kind: 'fallback', api: 'openEmbeddedMiniProgram', reason: 'x' },
    ],
    ['an unknown answer', { ...valid, event: 'dialog', answer: 'ok' }],
    ['an unknown apiCategory', { ...valid, apiCategory: 'half' }],
    ['a too long path', { ...valid, path: 'p'.repeat(1025) }],
    ['a too long user', { ...valid, user: 'u'.repeat(129) }],
    ['extraData not an object', { ...valid, extraData: 'a=1' }],
    ['extraData an array', { ...valid, extraData: [1, 2] }],
    [
      'extraDataLost not a boolean',
      {
        event: 'return',
        from: OTHER,
        to: SHOP,
        api: 'navigateBackMiniProgram',
        extraDataLost: 'yes',
      },
    ],
    ['from = to', { ...valid, to: SHOP }],
    ['an open without its kind', { ...valid, kind: undefined }],
    ['an open without an api', { ...valid, api: undefined }],
    ['an open with a return api', { ...valid, api: 'navigateBackMiniProgram' }],
    ['an open with an answer', { ...valid, answer: 'confirm' }],
    ['an open losing extraData', { ...valid, extraDataLost: true }],
    ['a dialog without its answer', { ...valid, event: 'dialog' }],
    ['embedded through navigateToMiniProgram', { ...valid, kind: 'embedded' }],
    [
      'a fallback without its reason',
      { ...valid, api: 'openEmbeddedMiniProgram', kind: 'fallback' },
    ],
    ['a reason without a fallback', { ...valid, reason: 'landscape' }],
    ['a return without an api', { event: 'return', from: OTHER, to: SHOP }],
    [
      'a return with an open api',
      { event: 'return', from: OTHER, to: SHOP, api: 'navigateToMiniProgram' },
    ],
    [
      'a return with a kind',
      {
        event: 'return',
        from: OTHER,
        to: SHOP,
        api: 'navigateBackMiniProgram',
        kind: 'full-screen',
      },
    ],
    [
      'a swipe carrying extraData',
      { event: 'return', from: OTHER, to: SHOP, api: 'swipe-away', extraData: { a: 1 } },
    ],
  ])('400 { code, message } and nothing kept for %s', async (_name, body) => {
    const before = (await listed()).length;
    const r = await report(body);
    expect(r.status).toBe(400);
    const answer = JSON.parse(r.text) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(['code', 'message']);
    expect(typeof answer.code).toBe('string');
    expect(String(answer.message)).not.toBe('');
    expect(await listed()).toHaveLength(before);
  });

  test('400 for a body that is not JSON, or not sent as JSON', async () => {
    const before = (await listed()).length;
    for (const r of [
      await report('{"event":', 'application/json'),
      await report(valid, 'text/plain'),
    ]) {
      expect(r.status).toBe(400);
      expect(Object.keys(JSON.parse(r.text) as object).sort()).toEqual(['code', 'message']);
    }
    expect(await listed()).toHaveLength(before);
  });

  test('extraData up to 2 KB serialised is kept, more is refused', async () => {
    const before = (await listed()).length;
    // {"k":"…"} is 8 bytes around the value.
    const fits = { ...valid, extraData: { k: 'a'.repeat(2048 - 8) } };
    expect((await report(fits)).status).toBe(204);
    const over = { ...valid, extraData: { k: 'a'.repeat(2048 - 7) } };
    const r = await report(over);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({
      code: 'PARAM_ERROR',
      message: expect.stringContaining('2048'),
    });
    // Multi-byte characters count as bytes.
    expect((await report({ ...valid, extraData: { k: '支'.repeat(700) } })).status).toBe(400);
    expect(await listed()).toHaveLength(before + 1);
  });
});

describe('the inspection page', () => {
  test('a "Jumps between mini programs" section: named apps, how, extraData escaped', async () => {
    const c = env.sandbox.credentials;
    const long = `${'x'.repeat(150)}TAIL`;
    const open = {
      event: 'open',
      from: c.appId,
      to: c.cashierApp.appId,
      api: 'openEmbeddedMiniProgram',
      kind: 'embedded',
      apiCategory: 'embedded',
      path: 'pages/pay/index?order=<b>',
      extraData: { note: '<script>alert(1)</script>', long, nested: { a: [1, 2] } },
    };
    expect((await report(open)).status).toBe(204);
    const back = {
      event: 'return',
      from: c.cashierApp.appId,
      to: c.appId,
      api: 'navigateBackMiniProgram',
      extraDataLost: true,
    };
    expect((await report(back)).status).toBe(204);
    const consumer = {
      event: 'dialog',
      from: env.sandbox.consumerApp.appId,
      to: c.aggregatorAppId,
      api: 'navigateToMiniProgram',
      kind: 'full-screen',
      answer: 'cancel',
    };
    expect((await report(consumer)).status).toBe(204);

    for (const path of ['/sandbox', '/sandbox/fragment']) {
      const page = await http(`${env.sandbox.url}${path}`);
      expect(page.status).toBe(200);
      const html = page.text;
      expect(html).toMatch(/<h2>Jumps between mini programs \(\d+\)<\/h2>/);
      // Nothing from extraData or the path reaches the page as markup.
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).not.toContain('<b>');
      expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
      expect(html).toContain('order=&#60;b&#62;');
      const rows = html.match(/<tr class="jump">.*?<\/tr>/g) ?? [];
      // Newest first: the consumer's cancelled dialog, the return, then the opening.
      const [dialogRow, returnRow, openRow] = rows;
      expect(dialogRow).toContain('consumer host');
      expect(dialogRow).toContain('aggregator cashier');
      expect(dialogRow).toContain('dialog answered cancel');
      expect(returnRow).toContain('navigateBackMiniProgram');
      expect(returnRow).toContain('extraData lost');
      expect(returnRow).toContain('cashier app');
      expect(returnRow).toContain('owner app');
      expect(openRow).toContain('openEmbeddedMiniProgram');
      expect(openRow).toContain('embedded');
      expect(openRow).toContain('<code>note</code>');
      expect(openRow).toContain('{&#34;a&#34;:[1,2]}');
      // A long value is cut with an ellipsis on the page, whole in the tooltip.
      expect(openRow).toContain(`${'x'.repeat(120)}…`);
      expect(openRow).toContain(`title="long: ${long}"`);
      expect(openRow).not.toMatch(/>[^<]*TAIL/);
    }
    const nav = (await http(`${env.sandbox.url}/sandbox`)).text;
    expect(nav).toContain('<a href="/sandbox/jumps">jumps</a>');
  });
});
