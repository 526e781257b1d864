/**
 * 4. Notifications: a driver that plays WeChat Pay's notifier, written here from the documented
 * rules (not the sandbox's code): for each real pending order a TRANSACTION.SUCCESS notification
 * whose resource is AES-256-GCM encrypted with the APIv3 key (nonce 12 chars, associated_data
 * "transaction", ciphertext = encrypted bytes ‖ 16-byte tag, base64), signed RSA-SHA256 over
 * `timestamp\nnonce\nbody\n` with the platform private key (Wechatpay-Serial = PUB_KEY_ID_…).
 * Everything is built before the clock starts; the server verifies, decrypts and commits each.
 * Second run: 30 % of the deliveries are redeliveries (same id and body, fresh signature, as
 * WeChat retries), shuffled among the originals so some race them; afterwards each order must
 * have changed state exactly once.
 */
import { createCipheriv, createPrivateKey, createSign, randomBytes, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type autocannon from 'autocannon';
import type { Order } from '../typings/api';
import { createOrders, describeLoad, load, loginCode } from './api';
import { measureCrypto } from './crypto';
import type { ProcessStack } from '../dev/processes';
import { cpuMsOf, startProcessStack } from '../dev/processes';
import { profileServer } from './cpu-profile';
import type { Bench, Row } from './report';

/** What WeChat's notifier holds for this merchant, from the sandbox's credentials dir. */
export interface Signer {
  appId: string;
  mchId: string;
  apiV3Key: string;
  serial: string;
  key: KeyObject;
  /** The other schemes' accounts (bench/schemes.ts); absent from older credentials. */
  apiV2Key?: string;
  spMchId?: string;
  subMchIds?: string[];
}

export function readSigner(credentialsDir: string): Signer {
  const config = JSON.parse(
    readFileSync(path.join(credentialsDir, 'merchant', 'config.json'), 'utf8'),
  ) as Omit<Signer, 'serial' | 'key'> & { platformPublicKeyId: string };
  return {
    appId: config.appId,
    mchId: config.mchId,
    apiV3Key: config.apiV3Key,
    serial: config.platformPublicKeyId,
    apiV2Key: config.apiV2Key,
    spMchId: config.spMchId,
    subMchIds: config.subMchIds,
    key: createPrivateKey(
      readFileSync(path.join(credentialsDir, 'sandbox', 'pub_key_private.pem'), 'utf8'),
    ),
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function alnum(n: number): string {
  let s = '';
  for (const b of randomBytes(n)) s += ALNUM[b % ALNUM.length];
  return s;
}

/** RFC 3339 in Beijing time, as WeChat writes it. */
export function beijing(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

function encrypt(plain: string, apiV3Key: string, associated: string) {
  const nonce = alnum(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce));
  cipher.setAAD(Buffer.from(associated));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    original_type: 'transaction',
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: data.toString('base64'),
    associated_data: associated,
    nonce,
  };
}

/** A fresh 28-digit transaction id, as WeChat numbers them. */
export function transactionId(now: number): string {
  return `4200${String(now).slice(-10)}${Math.floor(Math.random() * 1e14)
    .toString()
    .padStart(14, '0')}`;
}

/** The decrypted resource of a direct merchant's payment-success notification for `order`. */
export function directTransaction(s: Signer, order: Order, openid: string, now = Date.now()) {
  return {
    appid: s.appId,
    mchid: s.mchId,
    out_trade_no: order.orderNo,
    transaction_id: transactionId(now),
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: beijing(now),
    payer: { openid },
    amount: {
      total: order.total,
      payer_total: order.total,
      currency: 'CNY',
      payer_currency: 'CNY',
    },
  };
}

/** The JSON body of a TRANSACTION.SUCCESS notification carrying `transaction`, encrypted. */
export function v3NotificationBody(s: Signer, transaction: object, now = Date.now()): string {
  return JSON.stringify({
    id: randomUUID(),
    create_time: beijing(now),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: encrypt(JSON.stringify(transaction), s.apiV3Key, 'transaction'),
  });
}

/** The JSON body of one payment-success notification for `order` (direct merchant). */
function notificationBody(s: Signer, order: Order, openid: string): string {
  return v3NotificationBody(s, directTransaction(s, order, openid));
}

export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

export function deliver(s: Signer, body: string): Delivery {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = alnum(32);
  const signature = createSign('RSA-SHA256')
    .update(`${timestamp}\n${nonce}\n${body}\n`)
    .sign(s.key, 'base64');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': s.serial,
    },
  };
}

/** Posts every delivery once (16 connections, at most `seconds`); server CPU as a share of a core. */
export async function post(stack: ProcessStack, deliveries: Delivery[], seconds: number) {
  const cpu0 = cpuMsOf(stack.server.pid);
  const r = await postAll(stack, deliveries, seconds);
  return { ...r, serverCpu: (cpuMsOf(stack.server.pid) - cpu0) / (r.seconds * 1000) };
}

function postAll(stack: ProcessStack, deliveries: Delivery[], seconds: number) {
  let i = 0;
  const setupRequest = (req: autocannon.Request): autocannon.Request => {
    const d = deliveries[i++ % deliveries.length] as Delivery;
    return { ...req, path: '/api/pay/notify', headers: d.headers, body: d.body };
  };
  return load({
    url: stack.serverUrl,
    connections: 16,
    durationSeconds: seconds,
    maxRequests: deliveries.length,
    setupRequest,
  });
}

/** Orders of `orderNos` as the server's database has them (read-only, WAL allows it). */
export function stateOf(dbFile: string, orderNos: string[]) {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const paid = db.prepare(`SELECT status, transaction_id FROM orders WHERE order_no = ?`);
    const notes = db.prepare(`SELECT count(*) AS n FROM notifications WHERE order_no = ?`);
    let paidCount = 0;
    let exactlyOnce = 0;
    for (const no of orderNos) {
      const row = paid.get(no) as { status: string; transaction_id: string | null } | undefined;
      const n = (notes.get(no) as { n: number }).n;
      if (row?.status === 'paid') paidCount++;
      if (row?.status === 'paid' && n === 1) exactlyOnce++;
    }
    return { paidCount, exactlyOnce };
  } finally {
    db.close();
  }
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

export const notifyBench: Bench = {
  name: 'notifications',
  async run({ smoke, log, profile }) {
    const crypto = measureCrypto(smoke ? 40 : 600);
    // Per notification the server does one verify (plus AES-GCM and two statements).
    const sizes = smoke
      ? { unique: 40, dedupe: 28, seconds: 1 }
      : { unique: 6000, dedupe: 3500, seconds: 10 };
    const stack = await startProcessStack();
    try {
      const signer = readSigner(stack.credentialsDir);
      const { openid } = await loginCode(stack.sandboxUrl, 'bench-notify');
      const t0 = performance.now();
      const orders = await createOrders(stack.serverUrl, sizes.unique + sizes.dedupe);
      const uniqueOrders = orders.slice(0, sizes.unique);
      const dedupeOrders = orders.slice(sizes.unique);
      const uniqueDeliveries = uniqueOrders.map((o) =>
        deliver(signer, notificationBody(signer, o, openid)),
      );
      const bodies = dedupeOrders.map((o) => notificationBody(signer, o, openid));
      const duplicates = Math.round((bodies.length * 0.3) / 0.7);
      const dedupeDeliveries = shuffle([
        ...bodies.map((b) => deliver(signer, b)),
        ...Array.from({ length: duplicates }, (_, k) =>
          deliver(signer, bodies[k % bodies.length] as string),
        ),
      ]);
      log(
        `prepared ${orders.length} orders and ${uniqueDeliveries.length + dedupeDeliveries.length} signed notifications in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );

      const unique = await post(stack, uniqueDeliveries, sizes.seconds);
      log(`unique: ${describeLoad(unique)}`);
      const u = stateOf(
        stack.dbFile,
        uniqueOrders.map((o) => o.orderNo),
      );
      const dedupe = await post(stack, dedupeDeliveries, sizes.seconds);
      log(`30 % duplicates: ${describeLoad(dedupe)}`);
      const d = stateOf(
        stack.dbFile,
        dedupeOrders.map((o) => o.orderNo),
      );
      const dupShare = duplicates / dedupeDeliveries.length;
      log(
        `state: unique run ${u.paidCount}/${uniqueOrders.length} paid; duplicate run ${d.exactlyOnce}/${dedupeOrders.length} paid with exactly one recorded notification`,
      );
      const complete = dedupe.ok === dedupeDeliveries.length;
      if (complete && d.exactlyOnce !== dedupeOrders.length) {
        throw new Error(
          `duplicates changed state more or less than once: ${d.exactlyOnce}/${dedupeOrders.length}`,
        );
      }
      if (dedupe.non2xx > 0)
        throw new Error(`duplicate deliveries refused: ${describeLoad(dedupe)}`);
      const cpuPer = (r: { serverCpu: number; okPerSecond: number }) =>
        ((r.serverCpu * 1000) / r.okPerSecond).toFixed(2);
      log(
        `server CPU: unique ${Math.round(unique.serverCpu * 100)} % (${cpuPer(unique)} ms each), duplicates ${Math.round(dedupe.serverCpu * 100)} % (${cpuPer(dedupe)} ms each)`,
      );
      if (profile && !smoke) {
        const more = await createOrders(stack.serverUrl, 4000);
        const deliveries = more.map((o) => deliver(signer, notificationBody(signer, o, openid)));
        const lines = await profileServer(stack, async () => {
          log(`profiled: ${describeLoad(await postAll(stack, deliveries, 6))}`);
        });
        for (const line of lines) log(`  ${line}`);
      }
      return [
        {
          benchmark: 'notify',
          metric: 'verify + decrypt + commit, unique',
          value: unique.okPerSecond,
          unit: '/s',
          baseline: { label: 'RSA verify/s', value: crypto.verifyPerSec },
          goal: '≥ 2,000/s',
          note: `${u.paidCount}/${uniqueOrders.length} orders paid; server CPU ${Math.round(unique.serverCpu * 100)} %, ${cpuPer(unique)} ms each; p99 ${unique.p99} ms${unique.non2xx ? `; ${unique.non2xx} non-2xx` : ''}`,
        },
        {
          benchmark: 'notify',
          metric: `with ${Math.round(dupShare * 100)} % duplicates`,
          value: dedupe.okPerSecond,
          unit: '/s',
          baseline: { label: 'unique run', value: unique.okPerSecond },
          goal: '≥ 2,000/s',
          note: complete
            ? `${d.exactlyOnce}/${dedupeOrders.length} orders changed state exactly once`
            : `time bound hit after ${dedupe.ok} deliveries; ${d.exactlyOnce} orders paid once`,
        },
      ] satisfies Row[];
    } finally {
      await stack.close();
    }
  },
};
