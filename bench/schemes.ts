/**
 * 9. Payment schemes: the same two hot paths under each scheme the server speaks
 * (WECHAT_PAY_SCHEME = v3 | v3-partner | v2, WECHAT_V2_SIGN_TYPE = MD5 | HMAC-SHA256), each on a
 * process stack of its own, all four up at once (the server reads the sandbox's dev credentials:
 * partner pays into the first of `subMchIds` for `spMchId`, v2 signs with `apiV2Key`):
 *  - first pay at 16 connections, every request a different never-paid order (as pay.ts's peak);
 *  - payment notifications for pending orders (as notify.ts's unique run), built here from
 *    WeChat's documented rules for the scheme: v3 direct as notify.ts; v3 partner the same
 *    envelope with sp_appid / sp_mchid / sub_mchid and payer.sp_openid in the resource; v2 a flat
 *    `<xml>` of CDATA fields POSTed as text/xml, signed MD5 or HMAC-SHA256 (upper-case hex) over
 *    the sorted non-empty fields plus `&key=<APIv2 key>`, written here, not taken from server/.
 * v3 direct measured in the same run is every other scheme's baseline (its own: the crypto
 * ceiling and RSA verify/s, as in pay.ts and notify.ts). Each path runs in rounds, the schemes in
 * turn, the order reversed every other round: this machine is shared, and a neighbour's burst then
 * slows one round of one scheme instead of a whole scheme's figure. A crypto micro-measure puts
 * the v2 signature (the server's own `signV2`) beside RSA-2048: what a v2 pay saves in crypto,
 * which says what is left to bound it.
 */
import { createHash, createHmac } from 'node:crypto';
import { V2_SIGN_TYPES, signV2, v2SigningString } from '../server/wechat/pay/v2/sign';
import type { V2SignType } from '../server/wechat/pay/v2/sign';
import type { CreatedOrder, Order } from '../typings/api';
import type { BenchSession, LoadResult } from './api';
import { createOrders, sessions } from './api';
import { measureCrypto } from './crypto';
import type { ProcessStack } from '../dev/processes';
import { startProcessStack } from '../dev/processes';
import type { Delivery, Signer } from './notify';
import {
  alnum,
  beijing,
  deliver,
  directTransaction,
  post,
  readSigner,
  stateOf,
  transactionId,
  v3NotificationBody,
} from './notify';
import { payRun, pct } from './pay';
import type { Bench, Row } from './report';
import { opsPerSecond } from './report';

interface Scheme {
  label: string;
  serverEnv: Record<string, string>;
  /** The notification WeChat would send when `order` is paid by `openid`. */
  notification(s: Signer, order: Order, openid: string): Delivery;
  /** Whether the server's answer is "taken" in the scheme's wire (a refusal is retried). */
  taken(status: number, body: string): boolean;
  /** Server-side signatures per first pay and per notification, for the crypto share. */
  cryptoMs(c: CryptoRates): { pay: number; notify: number };
}

interface CryptoRates {
  rsaSign: number;
  rsaVerify: number;
  /** Per second: a whole v2 signature (the server's signV2), and the digest alone. */
  v2: Record<V2SignType, { sign: number; digest: number }>;
}

/** What the server signs per v2 call: a notification's fields (the longest v2 message). */
const V2_FIELDS: Readonly<Record<string, string>> = {
  appid: 'wx0000000000000000',
  mch_id: '1900000109',
  nonce_str: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  result_code: 'SUCCESS',
  return_code: 'SUCCESS',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  is_subscribe: 'N',
  trade_type: 'JSAPI',
  bank_type: 'OTHERS',
  total_fee: '3900',
  cash_fee: '3900',
  fee_type: 'CNY',
  transaction_id: '4200001234202612041015301234',
  out_trade_no: 'WPP20261204101530ABCDEF',
  time_end: '20261204101530',
};

function v2Rates(type: V2SignType, ms: number): { sign: number; digest: number } {
  const key = alnum(32);
  const text = v2SigningString(V2_FIELDS, key);
  const digest =
    type === 'MD5'
      ? () => createHash('md5').update(text).digest('hex')
      : () => createHmac('sha256', key).update(text).digest('hex');
  return {
    sign: opsPerSecond(() => signV2(V2_FIELDS, key, type), ms),
    digest: opsPerSecond(digest, ms),
  };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`no ${what}`);
  return value;
}

/** v3 partner: the direct resource with the provider's names and the sub-merchant paid. */
function partnerTransaction(s: Signer, order: Order, openid: string) {
  const { appid, mchid: _direct, payer: _payer, ...rest } = directTransaction(s, order, openid);
  return {
    sp_appid: appid,
    sp_mchid: need(s.spMchId, 'spMchId in the dev credentials'),
    sub_mchid: need(s.subMchIds?.[0], 'subMchIds in the dev credentials'),
    ...rest,
    payer: { sp_openid: openid },
  };
}

/** WeChat's v2 signature as documented (a second implementation on purpose: not signV2). */
function v2Signature(fields: Record<string, string>, key: string, type: V2SignType): string {
  const signed = Object.entries(fields)
    .filter(([name, value]) => name !== 'sign' && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`);
  const text = `${signed.join('&')}&key=${key}`;
  const hash = type === 'MD5' ? createHash('md5') : createHmac('sha256', key);
  return hash.update(text, 'utf8').digest('hex').toUpperCase();
}

/** A v2 payment-result notification: flat CDATA fields, time_end yyyyMMddHHmmss Beijing time. */
function v2Notification(type: V2SignType) {
  return (s: Signer, order: Order, openid: string): Delivery => {
    const now = Date.now();
    const fields: Record<string, string> = {
      appid: s.appId,
      mch_id: s.mchId,
      nonce_str: alnum(32),
      // Absent means MD5; WeChat names the type when it is not.
      ...(type === 'MD5' ? {} : { sign_type: type }),
      result_code: 'SUCCESS',
      return_code: 'SUCCESS',
      openid,
      is_subscribe: 'N',
      trade_type: 'JSAPI',
      bank_type: 'OTHERS',
      total_fee: String(order.total),
      cash_fee: String(order.total),
      fee_type: 'CNY',
      transaction_id: transactionId(now),
      out_trade_no: order.orderNo,
      time_end: beijing(now).slice(0, 19).replace(/\D/g, ''),
    };
    fields.sign = v2Signature(fields, need(s.apiV2Key, 'apiV2Key in the dev credentials'), type);
    const xml = Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`);
    return { headers: { 'content-type': 'text/xml' }, body: `<xml>${xml.join('')}</xml>` };
  };
}

/** A v3 scheme: `transaction` is the decrypted resource; the envelope and headers as notify.ts. */
function v3Scheme(
  label: string,
  scheme: string,
  transaction: (s: Signer, order: Order, openid: string) => object,
): Scheme {
  return {
    label,
    serverEnv: { WECHAT_PAY_SCHEME: scheme },
    notification: (s, o, openid) => deliver(s, v3NotificationBody(s, transaction(s, o, openid))),
    taken: (status) => status === 204,
    // A first pay: request signature, answer verification, paySign; a notification: one verify.
    cryptoMs: (c) => ({
      pay: 1000 * (2 / c.rsaSign + 1 / c.rsaVerify),
      notify: 1000 / c.rsaVerify,
    }),
  };
}

function v2Scheme(type: V2SignType): Scheme {
  return {
    label: `v2 ${type}`,
    serverEnv: { WECHAT_PAY_SCHEME: 'v2', WECHAT_V2_SIGN_TYPE: type },
    notification: v2Notification(type),
    taken: (status, body) =>
      status === 200 && body.includes('<return_code><![CDATA[SUCCESS]]></return_code>'),
    // A first pay: request sign, answer verify, paySign, one digest each; a notification: one.
    cryptoMs: (c) => ({ pay: 3000 / c.v2[type].sign, notify: 1000 / c.v2[type].sign }),
  };
}

const SCHEMES: Scheme[] = [
  v3Scheme('v3 direct', 'v3', directTransaction),
  v3Scheme('v3 partner', 'v3-partner', partnerTransaction),
  ...V2_SIGN_TYPES.map(v2Scheme),
];

interface Sizes {
  payers: number;
  /** Rounds per path (each scheme once a round). */
  rounds: number;
  roundSeconds: number;
  /** Requests per round at most. */
  payPerRound: number;
  notifyPerRound: number;
  warmUp: number;
}

/** What one path's rounds add up to for one scheme. */
interface Tally {
  ok: number;
  seconds: number;
  serverCpuMs: number;
  sandboxCpuMs: number;
  non2xx: number;
  rates: number[];
  p50s: number[];
  p99s: number[];
}

const tally = (): Tally => ({
  ok: 0,
  seconds: 0,
  serverCpuMs: 0,
  sandboxCpuMs: 0,
  non2xx: 0,
  rates: [],
  p50s: [],
  p99s: [],
});

function add(t: Tally, r: LoadResult, serverCpu: number, sandboxCpu = 0): void {
  t.ok += r.ok;
  t.seconds += r.seconds;
  t.serverCpuMs += serverCpu * r.seconds * 1000;
  t.sandboxCpuMs += sandboxCpu * r.seconds * 1000;
  t.non2xx += r.non2xx + r.errors;
  t.rates.push(r.okPerSecond);
  t.p50s.push(r.p50);
  t.p99s.push(r.p99);
}

const perSecond = (t: Tally): number => t.ok / (t.seconds || 1);
const cpuShare = (t: Tally, ms: number): number => ms / (t.seconds * 1000 || 1);
/** Server CPU ms per answer over the rounds. */
const msEach = (t: Tally): number => t.serverCpuMs / (t.ok || 1);
const span = (xs: number[]): string => {
  const [lo, hi] = [Math.min(...xs).toFixed(0), Math.max(...xs).toFixed(0)];
  return lo === hi ? lo : `${lo}–${hi}`;
};

interface Contender {
  scheme: Scheme;
  stack: ProcessStack;
  payers: BenchSession[];
  /** Pending orders: the warm-up's, then the pay rounds take theirs in turn. */
  orders: CreatedOrder[];
  /** The orders notified in the rounds (after the warm-up's), and their notifications. */
  notified: CreatedOrder[];
  notifications: Delivery[];
  pay: Tally;
  notify: Tally;
}

/** One delivery by fetch first: a refusal says why at once instead of as a non-2xx count. */
async function probe(c: Contender, d: Delivery): Promise<void> {
  const res = await fetch(`${c.stack.serverUrl}/api/pay/notify`, {
    method: 'POST',
    headers: d.headers,
    body: d.body,
  });
  const text = await res.text();
  if (!c.scheme.taken(res.status, text)) {
    throw new Error(
      `${c.scheme.label}: notification not taken: ${res.status} ${text.slice(0, 300)}`,
    );
  }
}

/** Payers and orders through the HTTP API, then one unmeasured pay and notify of `warmUp` each. */
async function prepare(scheme: Scheme, stack: ProcessStack, sizes: Sizes): Promise<Contender> {
  const payers = await sessions(stack.sandboxUrl, stack.serverUrl, sizes.payers);
  const orders = await createOrders(
    stack.serverUrl,
    sizes.warmUp + sizes.rounds * Math.max(sizes.payPerRound, sizes.notifyPerRound),
  );
  const c: Contender = {
    scheme,
    stack,
    payers,
    orders,
    notified: orders.slice(sizes.warmUp, sizes.warmUp + sizes.rounds * sizes.notifyPerRound),
    notifications: [],
    pay: tally(),
    notify: tally(),
  };
  // Rounds are short: the warm-up keeps JIT compilation and first-use costs out of them.
  const warm = orders.slice(0, sizes.warmUp);
  await payRun(stack, warm, payers, { connections: 16, seconds: sizes.roundSeconds });
  const signer = readSigner(stack.credentialsDir);
  const openid = need(payers[0], 'payer').openid;
  const [first, ...rest] = warm.map((o) => scheme.notification(signer, o, openid));
  await probe(c, need(first, 'a warm-up order'));
  if (rest.length > 0) await post(stack, rest, sizes.roundSeconds);
  // Built before any clock starts; orders paid through us or not, as WeChat notifies either.
  c.notifications = c.notified.map((o) => scheme.notification(signer, o, openid));
  return c;
}

/** Every scheme's stack, started side by side; if one fails the others are closed. */
async function startAll(): Promise<ProcessStack[]> {
  const started = await Promise.allSettled(
    SCHEMES.map((s) => startProcessStack({ serverEnv: s.serverEnv })),
  );
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await closeAll(started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
    throw failed.reason;
  }
  return started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

async function closeAll(stacks: ProcessStack[]): Promise<void> {
  await Promise.all(stacks.map((s) => s.close()));
}

/** Round r's order: forward, then backward, ...: every scheme's mean place is the same. */
const ordered = <T>(xs: T[], r: number): T[] => (r % 2 === 0 ? xs : [...xs].reverse());

async function runRounds(
  contenders: Contender[],
  sizes: Sizes,
  log: (line: string) => void,
): Promise<void> {
  for (let r = 0; r < sizes.rounds; r++) {
    const line: string[] = [];
    for (const c of ordered(contenders, r)) {
      const from = sizes.warmUp + r * sizes.payPerRound;
      const run = await payRun(c.stack, c.orders.slice(from, from + sizes.payPerRound), c.payers, {
        connections: 16,
        seconds: sizes.roundSeconds,
      });
      add(c.pay, run.result, run.serverCpu, run.sandboxCpu);
      line.push(`${c.scheme.label} ${Math.round(run.result.okPerSecond)}/s`);
    }
    log(`first pay, round ${r + 1}: ${line.join(', ')}`);
  }
  for (let r = 0; r < sizes.rounds; r++) {
    const line: string[] = [];
    for (const c of ordered(contenders, r)) {
      const from = r * sizes.notifyPerRound;
      const run = await post(
        c.stack,
        c.notifications.slice(from, from + sizes.notifyPerRound),
        sizes.roundSeconds,
      );
      add(c.notify, run, run.serverCpu);
      line.push(`${c.scheme.label} ${Math.round(run.okPerSecond)}/s`);
    }
    log(`notifications, round ${r + 1}: ${line.join(', ')}`);
  }
}

/** What limits a path: the server's CPU per answer, as crypto and the rest (HTTP, SQL, codecs). */
const split = (ms: number, crypto: number): string =>
  `server ${ms.toFixed(2)} ms each = ${crypto.toFixed(3)} crypto + ${(ms - crypto).toFixed(2)} rest`;

function rows(all: Contender[], c: CryptoRates, payCeiling: number): Row[] {
  const base = need(all[0], 'a scheme');
  const out: Row[] = [];
  for (const m of all) {
    const t = m.pay;
    const crypto = m.scheme.cryptoMs(c).pay;
    out.push({
      benchmark: 'schemes',
      metric: `first pay, ${m.scheme.label}`,
      value: perSecond(t),
      unit: 'orders/s',
      baseline:
        m === base
          ? { label: 'crypto ceiling', value: payCeiling }
          : { label: base.scheme.label, value: perSecond(base.pay) },
      note: `rounds ${span(t.rates)}/s; CPU server ${pct(cpuShare(t, t.serverCpuMs))}, sandbox ${pct(cpuShare(t, t.sandboxCpuMs))}; ${split(msEach(t), crypto)}; p50 ${span(t.p50s)} ms${t.non2xx ? `; ${t.non2xx} failed` : ''}`,
    });
  }
  for (const m of all) {
    const t = m.notify;
    const crypto = m.scheme.cryptoMs(c).notify;
    const state = stateOf(
      m.stack.dbFile,
      m.notified.map((o) => o.orderNo),
    );
    out.push({
      benchmark: 'schemes',
      metric: `notifications, ${m.scheme.label}`,
      value: perSecond(t),
      unit: '/s',
      baseline:
        m === base
          ? { label: 'RSA verify/s', value: c.rsaVerify }
          : { label: base.scheme.label, value: perSecond(base.notify) },
      note: `rounds ${span(t.rates)}/s; ${state.paidCount}/${m.notified.length} orders paid; server CPU ${pct(cpuShare(t, t.serverCpuMs))}; ${split(msEach(t), crypto)}; p99 ${span(t.p99s)} ms`,
    });
  }
  return out;
}

export const schemesBench: Bench = {
  name: 'schemes',
  async run({ smoke, log }) {
    const sizes: Sizes = smoke
      ? { payers: 2, rounds: 2, roundSeconds: 0.25, payPerRound: 8, notifyPerRound: 12, warmUp: 2 }
      : {
          payers: 40,
          rounds: 2,
          roundSeconds: 1.5,
          payPerRound: 1500,
          notifyPerRound: 2500,
          warmUp: 200,
        };
    const rsa = measureCrypto(smoke ? 40 : 600);
    const c: CryptoRates = {
      rsaSign: rsa.signPerSec,
      rsaVerify: rsa.verifyPerSec,
      v2: {
        MD5: v2Rates('MD5', smoke ? 20 : 300),
        'HMAC-SHA256': v2Rates('HMAC-SHA256', smoke ? 20 : 300),
      },
    };
    log(
      `crypto: RSA sign ${Math.round(c.rsaSign)}/s, verify ${Math.round(c.rsaVerify)}/s; v2 MD5 ${Math.round(c.v2.MD5.sign)}/s, HMAC-SHA256 ${Math.round(c.v2['HMAC-SHA256'].sign)}/s`,
    );
    const stacks = await startAll();
    try {
      const contenders = await Promise.all(
        SCHEMES.map((scheme, k) => prepare(scheme, need(stacks[k], 'a stack'), sizes)),
      );
      log(`prepared ${SCHEMES.length} stacks, ${contenders[0]?.orders.length} orders each`);
      await runRounds(contenders, sizes, log);
      const unpaid = contenders.find((m) => m.pay.ok === 0);
      if (unpaid) throw new Error(`${unpaid.scheme.label}: no first pay succeeded`);
      const refused = contenders.find((m) => m.notify.non2xx > 0);
      if (refused)
        throw new Error(`${refused.scheme.label}: ${refused.notify.non2xx} notifications refused`);
      return [
        ...rows(contenders, c, rsa.payCeiling),
        ...V2_SIGN_TYPES.map((type) => ({
          benchmark: 'schemes',
          metric: `v2 signature, ${type} (signV2)`,
          value: c.v2[type].sign,
          unit: '/s',
          baseline: { label: 'RSA-2048 sign/s', value: c.rsaSign },
          note: `${Object.keys(V2_FIELDS).length} fields sorted, joined, digested; one core; the digest alone ${Math.round(c.v2[type].digest).toLocaleString('en-US')}/s`,
        })),
      ];
    } finally {
      await closeAll(stacks);
    }
  },
};
