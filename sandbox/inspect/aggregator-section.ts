/**
 * The "Aggregator" part of the inspection page: every opening of the aggregator's cashier mini
 * program (refused ones too), then its form notifications with each delivery attempt.
 */
import type { AggregatorCall, AggregatorNotification, AggregatorState } from '../aggregator/state';
import { ATTEMPT_COLUMNS, attemptRow } from './attempts';
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

const CALL_COLUMNS: Column[] = [
  { head: '#', width: '3em' },
  { head: 'cashier call', width: '9.5em' },
  { head: 'out_trade_no' },
  { head: 'total_fee', width: '6em' },
  { head: 'outcome', width: '6.5em' },
  { head: 'asked for', width: '6.5em' },
  { head: 'reason' },
  { head: 'who (openid)' },
];

const NOTIFICATION_COLUMNS: Column[] = [
  { head: '#', width: '3em' },
  { head: 'out_trade_no' },
  { head: 'url' },
  { head: 'state', width: '6.5em' },
  { head: 'fault', width: '8em' },
  { head: 'attempts', width: '7em' },
  { head: 'next attempt', width: '9.5em' },
];

const JSON_PATH = '/sandbox/aggregator/orders';

export function aggregatorSection(state: AggregatorState): string {
  const calls = newest(state.calls, JSON_PATH);
  const notes = newest(state.notifications, JSON_PATH);
  return [
    `<h2>Aggregator: cashier calls (${state.calls.length})</h2>`,
    `${calls.note}${table('aggregator-calls', CALL_COLUMNS, calls.shown.map(callRow))}`,
    `<h2>Aggregator: notifications (${state.notifications.length})</h2>`,
    `${notes.note}${table('aggregator-notifications', NOTIFICATION_COLUMNS, notes.shown.flatMap(notificationRows))}`,
  ].join('\n');
}

function callRow(c: AggregatorCall): string {
  const link =
    c.outTradeNo === undefined
      ? ''
      : `<a class="json" href="${esc(`${JSON_PATH}/${encodeURIComponent(c.outTradeNo)}`)}" title="the aggregator's record as JSON">json</a>`;
  return tr(
    [
      td(c.seq, 'num'),
      tdHtml(timeHtml(c.at)),
      tdHtml(idHtml(c.outTradeNo ?? '', link)),
      td(c.totalFee ?? '', 'num'),
      tdHtml(`<span class="outcome outcome-${esc(c.result)}">${esc(c.result)}</span>`),
      td(c.requested),
      td(c.reason ?? '', 'wrap'),
      tdHtml(idHtml(c.openid)),
    ],
    'aggregator-call',
  );
}

function notificationRows(n: AggregatorNotification): string[] {
  const main = tr(
    [
      td(n.seq, 'num'),
      tdHtml(idHtml(n.outTradeNo)),
      tdHtml(idHtml(n.url)),
      tdHtml(`<span class="nstate-${esc(n.state)}">${esc(n.state)}</span>`),
      td(n.fault ?? ''),
      td(n.attempts.length, 'num'),
      tdHtml(timeHtmlOf(n.nextAttemptAt)),
    ],
    'aggregator-notification',
  );
  const detail =
    n.attempts.length === 0
      ? `<span class="muted">${n.state === 'dropped' ? 'never sent (drop fault)' : 'first attempt in flight'}</span>`
      : table('sub attempts', ATTEMPT_COLUMNS, n.attempts.map(attemptRow));
  return [main, subRow(detail, NOTIFICATION_COLUMNS.length, 'aggregator-attempts')];
}
