/**
 * The part of the inspection page that changes: settings, clock, faults, orders (with their
 * cashier calls), notifications (with every delivery attempt), jumps between mini programs and
 * the aggregator. Rendered whole for the first load and again for each refresh
 * (GET /sandbox/fragment), so both always show the same thing.
 */
import type { AggregatorState } from '../aggregator/state';
import type { SandboxContext } from '../context';
import { rfc3339Beijing } from '../ids';
import type { CashierEvent, Notification, Order } from '../store';
import { ATTEMPT_COLUMNS, attemptRow } from './attempts';
import { PREPAY_LIFETIME_MS } from '../trade';
import { aggregatorSection } from './aggregator-section';
import { jumpsSection } from './jumps-section';
import {
  esc,
  idHtml,
  newest,
  subRow,
  table,
  td,
  tdHtml,
  timeHtml,
  timeHtmlOf,
  tr,
  type Column,
} from './markup';

const ORDER_COLUMNS: Column[] = [
  { head: 'out_trade_no' },
  { head: 'scheme', width: '8.5em' },
  { head: 'state', width: '8em' },
  { head: 'total (fen)', width: '7em' },
  { head: 'description' },
  { head: 'payer' },
  { head: 'created', width: '9.5em' },
  { head: 'time_expire', width: '9.5em' },
  { head: 'transaction_id' },
  { head: 'prepays', width: '5.5em' },
  { head: 'refunds' },
];

const CASHIER_COLUMNS: Column[] = [
  { head: 'cashier call', width: '9.5em' },
  { head: 'outcome', width: '6.5em' },
  { head: 'asked for', width: '6.5em' },
  { head: 'errMsg / reason' },
  { head: 'who (openid)', width: '26%' },
  { head: 'prepay_id', width: '20%' },
];

const NOTIFICATION_COLUMNS: Column[] = [
  { head: '#', width: '3em' },
  { head: 'event', width: '15em' },
  { head: 'format', width: '4.5em' },
  { head: 'order / refund' },
  { head: 'url' },
  { head: 'state', width: '6.5em' },
  { head: 'fault', width: '8em' },
  { head: 'attempts', width: '7em' },
  { head: 'next attempt', width: '9.5em' },
];

const FAULT_COLUMNS: Column[] = [
  { head: 'endpoint' },
  { head: 'kind' },
  { head: 'rate' },
  { head: 'latencyMs' },
  { head: 'times' },
  { head: 'applied' },
];

export function renderDataSection(ctx: SandboxContext, aggregator?: AggregatorState): string {
  const sections = [
    overview(ctx),
    faultsSection(ctx),
    ordersSection(ctx),
    notificationsSection(ctx),
    jumpsSection(ctx),
  ];
  if (aggregator !== undefined) sections.push(aggregatorSection(aggregator));
  return sections.join('\n');
}

function overview(ctx: SandboxContext): string {
  const c = ctx.keys.credentials;
  const rows: [string, string][] = [
    ['appid', idHtml(c.appId)],
    ['mchid', idHtml(c.mchId)],
    ['service provider (sp_mchid)', idHtml(c.spMchId)],
    ['sub-merchants', c.subMchIds.map((id) => idHtml(id)).join(' ')],
    ['merchant serial', idHtml(c.merchantSerialNo)],
    ['platform serial (certificate)', idHtml(c.platformCertSerialNo)],
    ['platform public key id', idHtml(c.platformPublicKeyId)],
    ['responses signed with', esc(ctx.settings.serialMode)],
    [
      'virtual clock',
      `${timeHtml(ctx.clock.now())} <span class="muted">(offset ${esc(ctx.clock.offsetSeconds())} s, time scale ${esc(ctx.timeScale)})</span>`,
    ],
  ];
  return `<dl class="overview">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function faultsSection(ctx: SandboxContext): string {
  const faults = ctx.faults.list();
  const rows = faults.map((f) =>
    tr([
      td(f.endpoint),
      td(f.kind),
      td(f.rate ?? 1),
      td(f.latencyMs ?? ''),
      td(f.times ?? '∞'),
      td(f.applied),
    ]),
  );
  return `<h2>Faults (${faults.length})</h2>\n${table('faults', FAULT_COLUMNS, rows)}`;
}

function ordersSection(ctx: SandboxContext): string {
  const all = [...ctx.store.orders.values()];
  const { shown, note } = newest(all, '/sandbox/orders');
  const rows = shown.flatMap((o) => orderRows(ctx, o));
  return `<h2>Orders (${all.length})</h2>\n${note}${table('orders', ORDER_COLUMNS, rows)}`;
}

function orderRows(ctx: SandboxContext, o: Order): string[] {
  const now = ctx.clock.now();
  const expired = o.timeExpireMs !== undefined && now >= o.timeExpireMs;
  const stateTitle =
    o.successTime !== undefined
      ? `paid ${rfc3339Beijing(o.successTime)}`
      : o.closedAt !== undefined
        ? `closed ${rfc3339Beijing(o.closedAt)}`
        : '';
  const stateHtml = `<span class="state state-${esc(o.state)}"${stateTitle ? ` title="${esc(stateTitle)}"` : ''}>${esc(o.state)}</span>${
    expired && (o.state === 'NOTPAY' || o.state === 'PAYERROR')
      ? ' <span class="tag">expired</span>'
      : ''
  }`;
  const jsonLink = `<a class="json" href="/sandbox/orders/${encodeURIComponent(o.outTradeNo)}" title="this order as JSON">json</a>`;
  const prepayTitle = o.prepays
    .map((p) => `${p.id} ${now - p.createdAt < PREPAY_LIFETIME_MS ? 'valid' : 'expired'}`)
    .join('\n');
  const main = tr(
    [
      tdHtml(idHtml(o.outTradeNo, jsonLink)),
      tdHtml(schemeHtml(o)),
      tdHtml(stateHtml),
      td(o.total, 'num'),
      td(o.description, 'wrap'),
      tdHtml(idHtml(o.payerOpenid)),
      tdHtml(timeHtml(o.createdAt)),
      tdHtml(o.timeExpireMs === undefined ? '' : timeHtml(o.timeExpireMs)),
      tdHtml(idHtml(o.transactionId ?? '')),
      tdHtml(`<span title="${esc(prepayTitle)}">${esc(o.prepays.length)}</span>`, 'num'),
      tdHtml(refundsHtml(ctx, o)),
    ],
    'order',
  );
  if (o.cashier.length === 0) return [main];
  return [main, subRow(cashierHtml(o), ORDER_COLUMNS.length, 'order-cashier')];
}

/** The API that placed the order, with what sets it apart: v2's sign type, the sub-merchant. */
function schemeHtml(o: Order): string {
  const detail =
    o.scheme === 'v2'
      ? (o.signType ?? 'MD5')
      : o.partner !== undefined
        ? `sub ${o.partner.subMchid}`
        : '';
  return `<span class="scheme" title="${esc(detail)}">${esc(o.scheme)}</span>${
    detail === '' ? '' : `<div class="muted ellipsis" title="${esc(detail)}">${esc(detail)}</div>`
  }`;
}

function refundsHtml(ctx: SandboxContext, o: Order): string {
  return o.refundNos
    .map((no) => ctx.store.refunds.get(no))
    .filter((r) => r !== undefined)
    .map(
      (r) =>
        `<div class="line">${idHtml(r.outRefundNo)} <span class="muted">${esc(r.refund)} fen</span> <span class="rstate-${esc(r.status)}">${esc(r.status)}</span></div>`,
    )
    .join('');
}

const OUTCOME_LABEL: Record<CashierEvent['result'], string> = {
  paid: 'paid',
  cancelled: 'cancelled by the user',
  failed: 'payment failed (outcome fail)',
  refused: 'refused by a check',
};

function cashierHtml(o: Order): string {
  const rows = [...o.cashier]
    .reverse()
    .map((e) =>
      tr(
        [
          tdHtml(timeHtml(e.at)),
          tdHtml(
            `<span class="outcome outcome-${esc(e.result)}" title="${esc(OUTCOME_LABEL[e.result])}">${esc(e.result)}</span>`,
          ),
          td(e.requested),
          tdHtml(
            `<code class="wrap">${esc(e.errMsg)}</code>${e.reason === undefined ? '' : `<div class="muted wrap">${esc(e.reason)}</div>`}`,
          ),
          tdHtml(
            `${idHtml(e.openid)}${e.openid === o.payerOpenid ? '' : '<div class="bad">not the order’s payer</div>'}${
              e.appid === o.appid ? '' : `<div class="bad">app ${esc(e.appid)}</div>`
            }`,
          ),
          tdHtml(idHtml(e.prepayId)),
        ],
        'cashier-event',
      ),
    );
  const omitted =
    o.cashierOmitted > 0
      ? `<div class="muted">${esc(o.cashierOmitted)} older cashier calls not kept</div>`
      : '';
  return `${table('sub cashier', CASHIER_COLUMNS, rows)}${omitted}`;
}

function notificationsSection(ctx: SandboxContext): string {
  const all = ctx.store.notifications;
  const { shown, note } = newest(all, '/sandbox/notifications');
  const rows = shown.flatMap(notificationRows);
  return `<h2>Notifications (${all.length})</h2>\n${note}${table('notifications', NOTIFICATION_COLUMNS, rows)}`;
}

function notificationRows(n: Notification): string[] {
  const main = tr(
    [
      td(n.seq, 'num'),
      tdHtml(`<span class="ellipsis" title="${esc(n.eventType)}">${esc(n.eventType)}</span>`),
      td(n.format === 'xml' ? 'XML' : 'JSON', 'format'),
      tdHtml(`${idHtml(n.outTradeNo)}${n.outRefundNo === undefined ? '' : idHtml(n.outRefundNo)}`),
      tdHtml(idHtml(n.url)),
      tdHtml(`<span class="nstate-${esc(n.state)}">${esc(n.state)}</span>`),
      td(n.fault ?? ''),
      td(n.attempts.length, 'num'),
      tdHtml(timeHtmlOf(n.nextAttemptAt)),
    ],
    'notification',
  );
  const detail =
    n.attempts.length === 0
      ? `<span class="muted">${esc(noAttemptYet(n))}</span>`
      : table('sub attempts', ATTEMPT_COLUMNS, n.attempts.map(attemptRow));
  return [main, subRow(detail, NOTIFICATION_COLUMNS.length, 'notification-attempts')];
}

function noAttemptYet(n: Notification): string {
  switch (n.state) {
    case 'dropped':
      return 'never sent (drop fault)';
    case 'held':
      return 'held back (out_of_order fault): no attempt yet';
    default:
      return 'first attempt in flight';
  }
}
