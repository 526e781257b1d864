import type { App, SandboxContext } from '../context';
import { rfc3339Beijing } from '../ids';
import type { Notification, Order } from '../store';

const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const table = (head: string[], rows: string[][]): string =>
  rows.length === 0
    ? '<p class="empty">none yet</p>'
    : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.join('')}</tr>`)
        .join('')}</tbody></table>`;

const td = (v: unknown, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(v)}</td>`;

function orderRow(ctx: SandboxContext, o: Order): string[] {
  const refunds = o.refundNos
    .map((no) => ctx.store.refunds.get(no))
    .map((r) => (r ? `${r.outRefundNo} ${r.refund} fen ${r.status}` : ''))
    .join('; ');
  return [
    `<td><a href="/sandbox/orders/${encodeURIComponent(o.outTradeNo)}">${esc(o.outTradeNo)}</a></td>`,
    td(o.state, `state-${o.state}`),
    td(o.total),
    td(o.description),
    td(o.payerOpenid),
    td(rfc3339Beijing(o.createdAt)),
    td(o.timeExpire ?? ''),
    td(o.transactionId ?? ''),
    td(o.prepays.length),
    td(refunds),
  ];
}

function notificationRow(n: Notification): string[] {
  const attempts = n.attempts
    .map(
      (a) =>
        `#${a.n} ${a.at.slice(11, 19)} ${a.status ?? a.error ?? ''}${a.acknowledged ? ' ✓' : ''}`,
    )
    .join('\n');
  return [
    td(n.seq),
    td(n.eventType),
    td(n.outRefundNo ? `${n.outTradeNo} / ${n.outRefundNo}` : n.outTradeNo),
    td(n.url),
    td(n.state, `nstate-${n.state}`),
    td(n.fault ?? ''),
    `<td><pre>${esc(attempts)}</pre></td>`,
    td(n.nextAttemptAt ?? ''),
  ];
}

/** GET /sandbox: a plain page so a person can see what happened. Never shows secrets. */
export function inspectRoutes(app: App, ctx: SandboxContext): void {
  app.get('/sandbox', async (_req, reply) => {
    const c = ctx.keys.credentials;
    const orders = [...ctx.store.orders.values()].reverse();
    const notifications = [...ctx.store.notifications].reverse();
    const faults = ctx.faults.list();
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>WeChat sandbox</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}pre{margin:0;font:12px ui-monospace,monospace}
.state-SUCCESS,.nstate-delivered{color:#070}.state-CLOSED,.state-PAYERROR,.nstate-failed,.nstate-dropped{color:#a00}
.state-REFUND{color:#750}.empty{color:#888}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dt{font-weight:600}
</style></head><body>
<h1>WeChat sandbox</h1>
<dl>
<dt>appid</dt><dd>${esc(c.appId)}</dd>
<dt>mchid</dt><dd>${esc(c.mchId)}</dd>
<dt>merchant serial</dt><dd>${esc(c.merchantSerialNo)}</dd>
<dt>platform serial (certificate)</dt><dd>${esc(c.platformCertSerialNo)}</dd>
<dt>platform public key id</dt><dd>${esc(c.platformPublicKeyId)}</dd>
<dt>responses signed with</dt><dd>${esc(ctx.settings.serialMode)}</dd>
<dt>virtual clock</dt><dd>${esc(rfc3339Beijing(ctx.clock.now()))} (offset ${esc(ctx.clock.offsetSeconds())} s, time scale ${esc(ctx.timeScale)})</dd>
</dl>
<h2>Faults</h2>
${table(
  ['endpoint', 'kind', 'rate', 'latencyMs', 'times', 'applied'],
  faults.map((f) => [
    td(f.endpoint),
    td(f.kind),
    td(f.rate ?? 1),
    td(f.latencyMs ?? ''),
    td(f.times ?? '∞'),
    td(f.applied),
  ]),
)}
<h2>Orders (${orders.length})</h2>
${table(
  [
    'out_trade_no',
    'state',
    'total (fen)',
    'description',
    'payer',
    'created',
    'time_expire',
    'transaction_id',
    'prepays',
    'refunds',
  ],
  orders.map((o) => orderRow(ctx, o)),
)}
<h2>Notifications (${notifications.length})</h2>
${table(['#', 'event', 'order', 'url', 'state', 'fault', 'attempts', 'next attempt'], notifications.map(notificationRow))}
<p>JSON: <a href="/sandbox/orders">/sandbox/orders</a> · <a href="/sandbox/notifications">/sandbox/notifications</a> · <a href="/sandbox/faults">/sandbox/faults</a> · <a href="/sandbox/clock">/sandbox/clock</a></p>
</body></html>`;
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
