/**
 * Which host mini program a request comes from. WeChat fixes the Referer of every request a
 * mini program makes (https://servicewechat.com/{appid}/{version}/page-frame.html, where appid is
 * the mini program running: for a plugin, its host), and signs a plugin's requests with
 * X-WECHAT-HOSTSIGN = {"noncestr","timestamp","signature"}, signature =
 * sha1(sorted [host appid, noncestr, timestamp, plugin token] joined). Only a signed request is
 * believed: a Referer alone is whatever the sender wrote. (WeChat's plugin development guide,
 * "插件请求签名"; it names no freshness window, so one of ±10 minutes is ours.)
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiFailure } from '../errors';

const REFERER =
  /^https:\/\/servicewechat\.com\/(wx[0-9a-zA-Z]{8,30})\/([0-9]+|devtools)\/page-frame\.html$/;
const WINDOW_SECONDS = 600;

export interface HostApp {
  appId: string;
  /** The host's mini program version from the Referer: '0' develop/trial/review, 'devtools'. */
  version: string;
}

const refuse = (why: string) => new ApiFailure(401, 'UNAUTHORIZED', `X-WECHAT-HOSTSIGN: ${why}`);

/** The signing host of a plugin request; undefined when the request is not signed. */
export function verifiedHostApp(
  headers: IncomingHttpHeaders,
  pluginToken: string | undefined,
  nowMs: number,
): HostApp | undefined {
  const raw = headers['x-wechat-hostsign'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length > 512) throw refuse('malformed');
  if (!pluginToken) throw refuse('this server has no plugin token to verify it with');
  const referer = REFERER.exec(typeof headers.referer === 'string' ? headers.referer : '');
  if (!referer) throw refuse('the Referer does not name a mini program');
  let sign: { noncestr?: unknown; timestamp?: unknown; signature?: unknown };
  try {
    sign = JSON.parse(raw) as typeof sign;
  } catch {
    throw refuse('not JSON');
  }
  const { noncestr, timestamp, signature } = sign ?? {};
  if (
    typeof noncestr !== 'string' ||
    !/^[0-9A-Za-z]{1,64}$/.test(noncestr) ||
    typeof timestamp !== 'string' ||
    !/^\d{1,12}$/.test(timestamp) ||
    typeof signature !== 'string' ||
    !/^[0-9a-f]{40}$/.test(signature)
  ) {
    throw refuse('noncestr, timestamp or signature malformed');
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > WINDOW_SECONDS) throw refuse('stale');
  const appId = referer[1] as string;
  const expected = createHash('sha1')
    .update([appId, noncestr, timestamp, pluginToken].sort().join(''))
    .digest('hex');
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw refuse('the signature does not verify');
  }
  return { appId, version: referer[2] as string };
}
