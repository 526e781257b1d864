/**
 * The "Jumps between mini programs" part of the inspection page: every dialog, opening and
 * return the client reported (POST /sandbox/jumps), newest first, with the AppIDs the sandbox
 * knows named, how each happened, and the extraData carried (or lost).
 */
import type { SandboxContext } from '../context';
import type { JumpEvent } from '../jumps';
import { esc, idHtml, newest, table, td, tdHtml, timeHtml, tr, type Column } from './markup';

const COLUMNS: Column[] = [
  { head: '#', width: '4.5em' },
  { head: 'at', width: '9.5em' },
  { head: 'event', width: '5em' },
  { head: 'from → to', width: '26%' },
  { head: 'how', width: '17em' },
  { head: 'path' },
  { head: 'extraData', width: '26%' },
];

const JSON_PATH = '/sandbox/jumps';

/** Longer extraData values are cut on the page (the tooltip and the JSON API have them whole). */
const VALUE_CHARS_SHOWN = 120;

export function jumpsSection(ctx: SandboxContext): string {
  const log = ctx.store.jumps;
  const { shown, note } = newest(log.events, JSON_PATH);
  const names = knownApps(ctx);
  const omitted =
    log.omitted > 0 ? `<p class="muted">${esc(log.omitted)} older jumps not kept</p>` : '';
  return `<h2>Jumps between mini programs (${log.events.length})</h2>\n${omitted}${note}${table(
    'jumps',
    COLUMNS,
    shown.map((e) => jumpRow(e, names)),
  )}`;
}

/** The mini programs the sandbox has credentials for, by AppID. */
function knownApps(ctx: SandboxContext): Map<string, string> {
  const c = ctx.keys.credentials;
  const names = new Map<string, string>();
  const add = (appId: string | undefined, name: string) => {
    if (appId !== undefined && appId !== '' && !names.has(appId)) names.set(appId, name);
  };
  add(c.appId, 'owner app');
  add(c.cashierApp.appId, 'cashier app');
  add(c.aggregatorAppId, 'aggregator cashier');
  add(ctx.keys.consumerApp.appId, 'consumer host');
  add(ctx.keys.otherApp.appId, 'other app');
  return names;
}

function appHtml(appId: string, names: Map<string, string>): string {
  const name = names.get(appId);
  return `<div class="line">${idHtml(appId)}${name === undefined ? '' : `<div class="muted">${esc(name)}</div>`}</div>`;
}

function jumpRow(e: JumpEvent, names: Map<string, string>): string {
  const fromTo = `${appHtml(e.from, names)}<div class="muted">→</div>${appHtml(e.to, names)}`;
  return tr(
    [
      td(e.id, 'num'),
      tdHtml(timeHtml(e.at)),
      tdHtml(`<span class="jump-${esc(e.event)}">${esc(e.event)}</span>`),
      tdHtml(fromTo),
      tdHtml(howHtml(e), 'wrap'),
      tdHtml(
        e.path === undefined || e.path === ''
          ? ''
          : `<code class="ellipsis" title="${esc(e.path)}">${esc(e.path)}</code>`,
      ),
      tdHtml(extraDataHtml(e)),
    ],
    'jump',
  );
}

/** The API, the kind of opening (and why it fell back), the dialog's answer, the apiCategory. */
function howHtml(e: JumpEvent): string {
  const parts: string[] = [];
  if (e.api !== undefined) parts.push(`<code>${esc(e.api)}</code>`);
  if (e.kind !== undefined) parts.push(`<span class="tag">${esc(e.kind)}</span>`);
  if (e.reason !== undefined) parts.push(`<span class="muted">${esc(`(${e.reason})`)}</span>`);
  if (e.answer !== undefined) {
    parts.push(
      `<span class="${e.answer === 'confirm' ? 'good' : 'bad'}">${esc(`dialog answered ${e.answer}`)}</span>`,
    );
  }
  if (e.apiCategory !== undefined) {
    parts.push(`<span class="muted">${esc(`apiCategory ${e.apiCategory}`)}</span>`);
  }
  if (e.user !== undefined) {
    parts.push(`<span class="muted">${esc(`WeChat user ${e.user}`)}</span>`);
  }
  return parts.join(' ');
}

function extraDataHtml(e: JumpEvent): string {
  const lost = e.extraDataLost === true ? '<div class="bad">extraData lost</div>' : '';
  if (e.extraData === undefined) return lost;
  const entries = Object.entries(e.extraData);
  if (entries.length === 0) return `<span class="muted">{}</span>${lost}`;
  const lines = entries.map(([key, value]) => {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    const chars = Array.from(text);
    const cut =
      chars.length > VALUE_CHARS_SHOWN ? `${chars.slice(0, VALUE_CHARS_SHOWN).join('')}…` : text;
    return `<div class="ellipsis" title="${esc(`${key}: ${text}`)}"><code>${esc(key)}</code> ${esc(cut)}</div>`;
  });
  return `${lines.join('')}${lost}`;
}
