/** The delivery-attempt table both notification sections show (WeChat's and the aggregator's). */
import type { DeliveryAttempt } from '../store';
import { esc, td, tdHtml, timeHtmlOf, tr, type Column } from './markup';

export const ATTEMPT_COLUMNS: Column[] = [
  { head: 'try', width: '3em' },
  { head: 'at', width: '9.5em' },
  { head: 'merchant answered', width: '18em' },
  { head: 'took', width: '5em' },
  { head: 'response body' },
];

export function attemptRow(a: DeliveryAttempt): string {
  const answered = [
    a.status === undefined ? '' : `HTTP ${esc(a.status)}`,
    a.error === undefined ? '' : esc(a.error),
  ]
    .filter((s) => s !== '')
    .join(' · ');
  return tr(
    [
      td(a.n, 'num'),
      tdHtml(timeHtmlOf(a.at)),
      tdHtml(
        `<span class="${a.acknowledged ? 'good' : 'bad'}">${answered}</span>${a.acknowledged ? ' <span class="good">acknowledged</span>' : ''}`,
        'wrap',
      ),
      td(`${a.durationMs} ms`, 'num'),
      tdHtml(bodyHtml(a)),
    ],
    'attempt',
  );
}

/** The notifier records only the first bytes of an answer (a few hundred): all of that is shown. */
function bodyHtml(a: DeliveryAttempt): string {
  if (a.responseBody === undefined) return '';
  if (a.responseBody === '') return '<span class="muted">(empty)</span>';
  const recorded = Buffer.byteLength(a.responseBody);
  const total = a.responseBytes ?? recorded;
  const note =
    total > recorded
      ? `<div class="muted">first ${esc(recorded)} of ${esc(total)} bytes</div>`
      : '';
  return `<pre class="body">${esc(a.responseBody)}${total > recorded ? '…' : ''}</pre>${note}`;
}
