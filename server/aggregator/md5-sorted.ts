/**
 * The common aggregator scheme ("md5-sorted", PAYJS-style). extraData and notifications are flat
 * string fields signed as upper(hex(md5(k=v&… over the non-empty fields but `sign`, sorted by key
 * in ASCII order, then "&key=" + secret))). Notifications are form-encoded POSTs answered with
 * the body `success`; anything else is retried by the aggregator.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { AggregatorRefusal } from './provider';
import type {
  AggregatorAnswer,
  AggregatorOrder,
  AggregatorPayment,
  AggregatorProvider,
} from './provider';

export interface Md5SortedAccount {
  mchId: string;
  key: string;
}

const FORM = 'application/x-www-form-urlencoded';
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NONCE_LENGTH = 32;

/** Field shapes a notification must have once its signature verified. */
const SHAPES: Record<string, RegExp> = {
  return_code: /^\d{1,4}$/,
  total_fee: /^[1-9]\d{0,11}$/,
  out_trade_no: /^[A-Za-z0-9_-]{1,32}$/,
  // The dedupe id is stored as "aggregator:<id>" in a 64-character column.
  payjs_order_id: /^[A-Za-z0-9_-]{1,48}$/,
  mchid: /^[A-Za-z0-9_-]{1,32}$/,
};
const TRANSACTION_ID = /^[A-Za-z0-9]{1,32}$/;
const TIME_END = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export function md5SortedSign(fields: Readonly<Record<string, string>>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${k}=${fields[k] ?? ''}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${key}`, 'utf8').digest('hex').toUpperCase();
}

/** Constant time: how long a wrong guess takes tells a forger nothing. */
function signMatches(fields: Readonly<Record<string, string>>, key: string, sign: string): boolean {
  const expected = Buffer.from(md5SortedSign(fields, key));
  const given = Buffer.from(sign);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function nonce(): string {
  let out = '';
  for (let i = 0; i < NONCE_LENGTH; i++) out += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return out;
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time → ms; null when it is not a real time. */
function beijingTime(text: string | undefined): number | null {
  const m = TIME_END.exec(text ?? '');
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0) - 8 * 3600_000;
  // Date.UTC rolls 02-30 over into March: such a time is not what was sent.
  const back = new Date(ms + 8 * 3600_000);
  return back.getUTCDate() === d && back.getUTCHours() === h ? ms : null;
}

/** The form's fields; a repeated field is refused, since which copy was signed is ambiguous. */
function formFields(raw: Buffer): Record<string, string> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new AggregatorRefusal(400, 'the notification is not UTF-8');
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, k)) throw new AggregatorRefusal(400, `field ${k} is repeated`);
    fields[k] = v;
  }
  return fields;
}

export function md5SortedProvider(account: Md5SortedAccount): AggregatorProvider {
  const refusal = (status: number, message: string): AggregatorAnswer => ({
    status,
    contentType: 'text/plain; charset=utf-8',
    body: `fail: ${message}`,
  });
  return {
    name: 'md5-sorted',
    notifyContentTypes: [FORM],

    buildExtraData(order: AggregatorOrder, notifyUrl: string): Record<string, string> {
      const fields: Record<string, string> = {
        mchid: account.mchId,
        total_fee: String(order.total),
        out_trade_no: order.orderNo,
        body: order.description,
        notify_url: notifyUrl,
        nonce: nonce(),
      };
      return { ...fields, sign: md5SortedSign(fields, account.key) };
    },

    readNotification(raw: Buffer, contentType: string | undefined): AggregatorPayment {
      if (!(contentType ?? '').toLowerCase().startsWith(FORM))
        throw new AggregatorRefusal(415, `notifications must be ${FORM}`);
      const f = formFields(raw);
      if (!f.sign) throw new AggregatorRefusal(401, 'the notification is not signed');
      if (!signMatches(f, account.key, f.sign))
        throw new AggregatorRefusal(401, 'the signature does not verify');
      for (const [name, shape] of Object.entries(SHAPES)) {
        if (!shape.test(f[name] ?? ''))
          throw new AggregatorRefusal(400, `field ${name} is missing or malformed`);
      }
      const transactionId = f.transaction_id ?? '';
      if (transactionId !== '' && !TRANSACTION_ID.test(transactionId))
        throw new AggregatorRefusal(400, 'field transaction_id is malformed');
      return {
        paymentId: f.payjs_order_id ?? '',
        orderNo: f.out_trade_no ?? '',
        total: Number(f.total_fee),
        mchId: f.mchid ?? '',
        succeeded: f.return_code === '1',
        transactionId: transactionId === '' ? null : transactionId,
        paidAt: beijingTime(f.time_end),
      };
    },

    ack: () => ({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' }),
    refusal,
  };
}
