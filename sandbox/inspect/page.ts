/** The whole inspection page: a fixed header with the refresh switch, then the data section. */
import type { AggregatorState } from '../aggregator/state';
import type { SandboxContext } from '../context';
import { renderDataSection } from './data-section';
import { REFRESH_SCRIPT } from './refresh-script';

/*
 * Every table is `table-layout: fixed` at 100 % width, so cell content can never widen the page:
 * ids are cut with an ellipsis (whole value in the DOM and the tooltip), free text wraps, and
 * timestamps never break.
 */
const STYLE = `
*{box-sizing:border-box}
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:1em 1.25em;color:#222;background:#fff}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.4em 1.5em;margin-bottom:.5em}
h1{font-size:1.4em;margin:0}
h2{font-size:1.1em;margin:1.2em 0 .3em}
a{color:#0550ae}
.controls label{font-weight:600;cursor:pointer}
.muted,.empty{color:#777}
table{border-collapse:collapse;table-layout:fixed;width:100%;margin:.3em 0 1em}
th,td{border:1px solid #d4d4d4;padding:.25em .45em;text-align:left;vertical-align:top;overflow:hidden}
th{background:#f2f2f2;font-weight:600;white-space:nowrap;text-overflow:ellipsis}
code,pre,time{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
time{white-space:nowrap}
.num{text-align:right;white-space:nowrap}
.wrap{white-space:normal;overflow-wrap:anywhere}
.ellipsis{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.id{display:flex;align-items:baseline;gap:.4em;position:relative;min-width:0}
.id code{flex:1 1 auto;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.id+.id{margin-top:.15em}
.json{font-size:11px;flex:none}
.copy{display:none}
.js .copy{display:block;position:absolute;right:0;top:-1px;opacity:0;font:11px system-ui,sans-serif;padding:0 .4em;border:1px solid #aaa;border-radius:3px;background:#fff;color:#222;cursor:pointer}
.js .id:hover .copy,.js .copy:focus{opacity:1}
.line+.line{margin-top:.2em}
.line .id{display:inline-flex;max-width:100%;vertical-align:bottom}
td.sub{background:#f8f8f8;padding:.2em .5em .4em 2.2em}
table.sub{margin:.2em 0 0;background:#fff}
table.sub th{background:#ececec;font-size:12px}
pre.body{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:9em;overflow:auto}
.tag{font-size:11px;border:1px solid #c90;color:#850;border-radius:3px;padding:0 .3em;white-space:nowrap}
.state-SUCCESS,.nstate-delivered,.rstate-SUCCESS,.good,.outcome-paid{color:#070}
.state-CLOSED,.state-PAYERROR,.nstate-failed,.nstate-dropped,.bad,.outcome-refused,.outcome-failed{color:#a00}
.state-REFUND,.outcome-cancelled,.nstate-held{color:#750}
.jump-return{color:#0550ae}
dl.overview{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15em 1em;margin:0}
dl.overview dt{font-weight:600}
dl.overview dd{margin:0;min-width:0}
dl.overview .id{max-width:40em}
`;

export function renderPage(ctx: SandboxContext, aggregator?: AggregatorState): string {
  // The empty icon stops the browser asking for /favicon.ico: a 404 there is a console error.
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WeChat sandbox</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head><body>
<header>
<h1>WeChat sandbox</h1>
<div id="controls" class="controls" hidden><label><input type="checkbox" id="pause"> Pause auto-refresh</label> <span id="refresh-status" class="muted" aria-live="polite"></span></div>
<noscript><span class="muted">Reload to update: auto-refresh needs JavaScript.</span></noscript>
<nav class="muted">JSON: <a href="/sandbox/orders">orders</a> · <a href="/sandbox/notifications">notifications</a> · <a href="/sandbox/faults">faults</a> · <a href="/sandbox/clock">clock</a> · <a href="/sandbox/jumps">jumps</a> · <a href="/sandbox/aggregator/orders">aggregator</a></nav>
</header>
<main id="data">
${renderDataSection(ctx, aggregator)}
</main>
<script>${REFRESH_SCRIPT}</script>
</body></html>`;
}
