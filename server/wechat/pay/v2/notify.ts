/**
 * API v2 notifications, verified and decoded in one place. Payments are XML signed like any v2
 * answer (`sign_type` may be absent: the order's type, which is the configured one, applies).
 * Refunds carry `req_info`: AES-256-ECB with the lower-case hex MD5 of the APIv2 key, whose
 * successful decryption is what proves WeChat sent it (they carry no sign).
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { NotificationRejected } from '../port';
import type { NotifyAnswer, PayNotification } from '../port';
import type { RefundStatus, TradeState } from '../types';
import { verifyV2 } from './sign';
import type { V2SignType } from './sign';
import { rfc3339FromV2 } from './time';
import { XmlError, buildV2Xml, parseV2Xml } from './xml';

// A refusal's message may quote what WeChat sent; the XML answer carries no control characters.
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f]/g;

const reject = (status: number, message: string): NotificationRejected =>
  new NotificationRejected(status, message, message);

const TRADE_STATES = new Set<string>([
  'SUCCESS',
  'REFUND',
  'NOTPAY',
  'CLOSED',
  'REVOKED',
  'USERPAYING',
  'PAYERROR',
]);

/** v2's refund_status names → the normalised (v3) ones. */
export function refundStatusFromV2(s: string | undefined): RefundStatus | undefined {
  switch (s) {
    case 'SUCCESS':
      return 'SUCCESS';
    case 'REFUNDCLOSE':
      return 'CLOSED';
    case 'PROCESSING':
      return 'PROCESSING';
    case 'CHANGE':
      return 'ABNORMAL';
    default:
      return undefined;
  }
}

export const isTradeState = (s: string | undefined): s is TradeState =>
  s !== undefined && TRADE_STATES.has(s);

/** An integer fen field, or undefined when absent or not a plain non-negative integer. */
export function fen(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,12}$/.test(s)) return undefined;
  return Number(s);
}

function parse(text: string, root?: string): Record<string, string> {
  try {
    return parseV2Xml(text, root);
  } catch (err) {
    if (err instanceof XmlError) throw reject(400, `not v2 XML: ${err.message}`);
    throw err;
  }
}

export function decryptReqInfo(reqInfo: string, key: string): string {
  const aesKey = Buffer.from(createHash('md5').update(key, 'utf8').digest('hex'), 'ascii');
  const decipher = createDecipheriv('aes-256-ecb', aesKey, null);
  return Buffer.concat([
    decipher.update(Buffer.from(reqInfo, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}

export function readV2Notification(
  raw: Buffer,
  key: string,
  signType: V2SignType,
): PayNotification {
  const n = parse(raw.toString('utf8'));
  if (n.return_code !== 'SUCCESS') throw reject(400, 'return_code is not SUCCESS');
  if (n.req_info !== undefined) return refundNotice(n, key);
  if (n.sign_type !== undefined && n.sign_type !== signType) {
    throw reject(401, `sign_type ${n.sign_type} is not the order's ${signType}`);
  }
  if (!verifyV2(n, key, signType)) throw reject(401, 'signature rejected');
  const tx = n.transaction_id;
  if (n.result_code !== 'SUCCESS' || !tx) {
    return {
      id: `v2:${n.out_trade_no ?? '-'}:${n.nonce_str ?? ''}`.slice(0, 64),
      eventType: 'TRANSACTION.FAIL',
      kind: 'other',
    };
  }
  const total = fen(n.total_fee);
  const payerTotal = fen(n.cash_fee);
  return {
    // v2 has no notification id; the transaction id is unique per payment, which is what the
    // dedupe needs.
    id: `v2:${tx}`.slice(0, 64),
    eventType: 'TRANSACTION.SUCCESS',
    kind: 'transaction',
    transaction: {
      appid: n.appid ?? '',
      mchid: n.mch_id ?? '',
      out_trade_no: n.out_trade_no ?? '',
      transaction_id: tx,
      trade_state: 'SUCCESS',
      ...(rfc3339FromV2(n.time_end) ? { success_time: rfc3339FromV2(n.time_end) } : {}),
      ...(n.openid ? { payer: { openid: n.openid } } : {}),
      amount: {
        ...(total !== undefined ? { total } : {}),
        ...(payerTotal !== undefined ? { payer_total: payerTotal } : {}),
        currency: n.fee_type ?? 'CNY',
      },
      ...(n.attach ? { attach: n.attach } : {}),
    },
  };
}

function refundNotice(n: Record<string, string>, key: string): PayNotification {
  let plain: string;
  try {
    plain = decryptReqInfo(n.req_info ?? '', key);
  } catch {
    throw reject(401, 'req_info does not decrypt with our APIv2 key');
  }
  const r = parse(plain, 'root');
  const status = refundStatusFromV2(r.refund_status);
  if (!status || !r.out_refund_no || !r.out_trade_no)
    throw reject(400, 'refund info is incomplete');
  const refund = fen(r.refund_fee);
  const total = fen(r.total_fee);
  return {
    id: `v2r:${r.refund_id ?? r.out_refund_no}:${status}`.slice(0, 64),
    eventType: `REFUND.${status}`,
    kind: 'refund',
    refund: {
      mchid: n.mch_id ?? '',
      out_trade_no: r.out_trade_no,
      out_refund_no: r.out_refund_no,
      ...(r.refund_id ? { refund_id: r.refund_id } : {}),
      refund_status: status,
      amount: {
        ...(refund !== undefined ? { refund } : {}),
        ...(total !== undefined ? { total } : {}),
      },
    },
  };
}

/** v2 answers in XML: SUCCESS/OK takes it; anything else (with a 4xx/5xx) is retried. */
export function v2NotifyAnswer(refusal?: { status: number; message: string }): NotifyAnswer {
  return {
    status: refusal?.status ?? 200,
    contentType: 'text/xml; charset=utf-8',
    body: buildV2Xml(
      refusal
        ? { return_code: 'FAIL', return_msg: refusal.message.replace(CONTROL_ALL, ' ') }
        : { return_code: 'SUCCESS', return_msg: 'OK' },
    ),
  };
}
