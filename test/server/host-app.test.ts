/** X-WECHAT-HOSTSIGN: the host app of a plugin request, believed only when WeChat's signature verifies. */
import { createHash } from 'node:crypto';
import { verifiedHostApp } from '../../server/plugins/host-app';

const TOKEN = 'pluginTokenForTests0123456789abc';
const HOST = 'wx1234567890abcdef';
const NOW = 1_790_000_000_000;

function signed(over: { appid?: string; token?: string; ts?: number; nonce?: string } = {}) {
  const noncestr = over.nonce ?? 'n0nce42';
  const timestamp = String(over.ts ?? NOW / 1000);
  const signature = createHash('sha1')
    .update([over.appid ?? HOST, noncestr, timestamp, over.token ?? TOKEN].sort().join(''))
    .digest('hex');
  return {
    referer: `https://servicewechat.com/${HOST}/0/page-frame.html`,
    'x-wechat-hostsign': JSON.stringify({ noncestr, timestamp, signature }),
  };
}

it('names the signing host and its version', () => {
  expect(verifiedHostApp(signed(), TOKEN, NOW)).toEqual({ appId: HOST, version: '0' });
});

it('an unsigned request has no host app (a Referer alone proves nothing)', () => {
  expect(verifiedHostApp({ referer: signed().referer }, TOKEN, NOW)).toBeUndefined();
});

it.each([
  ['another token', signed({ token: 'x'.repeat(32) })],
  ['another host in the signature', signed({ appid: 'wx0000000000000000' })],
  ['a stale timestamp', signed({ ts: NOW / 1000 - 601 })],
  ['a future timestamp', signed({ ts: NOW / 1000 + 601 })],
  ['a Referer that is no mini program', { ...signed(), referer: 'https://evil.example/' }],
  ['garbage', { ...signed(), 'x-wechat-hostsign': '{not json' }],
  ['a bad nonce', signed({ nonce: 'has space' })],
])('refuses %s with 401', (_name, headers) => {
  expect(() => verifiedHostApp(headers, TOKEN, NOW)).toThrow(
    expect.objectContaining({ statusCode: 401, code: 'UNAUTHORIZED' }),
  );
});

it('a signed request to a server without the plugin token is refused, not believed', () => {
  expect(() => verifiedHostApp(signed(), undefined, NOW)).toThrow(/no plugin token/);
});
