/** HTML building blocks of the inspection page. Every value that reaches the page goes through esc(). */
import { rfc3339Beijing } from '../ids';

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** `class="…"` when there is one; callers pass fixed class names, escaped all the same. */
function classAttr(cls: string): string {
  return cls === '' ? '' : ` class="${esc(cls)}"`;
}

export function td(v: unknown, cls = ''): string {
  return `<td${classAttr(cls)}>${esc(v)}</td>`;
}

/** A cell whose content is already markup built from escaped parts. */
export function tdHtml(html: string, cls = ''): string {
  return `<td${classAttr(cls)}>${html}</td>`;
}

export interface Column {
  head: string;
  /** A CSS width for `table-layout: fixed` (e.g. '9.5em'); none shares what is left. */
  width?: string;
}

/** A fixed-layout table: column widths come from the header, so no content can widen the page. */
export function table(cls: string, columns: Column[], rows: string[]): string {
  if (rows.length === 0) return '<p class="empty">none yet</p>';
  const cols = columns
    .map((c) => (c.width === undefined ? '<col>' : `<col style="width:${esc(c.width)}">`))
    .join('');
  const head = columns.map((c) => `<th>${esc(c.head)}</th>`).join('');
  return `<table${classAttr(cls)}><colgroup>${cols}</colgroup><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function tr(cells: string[], cls = ''): string {
  return `<tr${classAttr(cls)}>${cells.join('')}</tr>`;
}

/** A row under another one, across all `columns` of its table, for that row's details. */
export function subRow(html: string, columns: number, cls: string): string {
  return `<tr${classAttr(cls)}><td class="sub" colspan="${columns}">${html}</td></tr>`;
}

/**
 * A long id cut with an ellipsis to fit its column. The whole value stays in the DOM (selecting
 * the text copies all of it) and in the tooltip; the copy button shows only when scripts run.
 */
export function idHtml(value: string, before = ''): string {
  if (value === '') return '';
  // `before` (a link) leads, so the copy button, shown over the id's end, never covers it.
  return `<span class="id">${before}<code title="${esc(value)}">${esc(value)}</code><button type="button" class="copy" data-copy="${esc(value)}" title="Copy ${esc(value)}" aria-label="Copy">copy</button></span>`;
}

/** MM-DD HH:MM:SS in Beijing time (the virtual clock's zone); the full RFC 3339 form in the tooltip. */
export function timeHtml(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const full = rfc3339Beijing(ms);
  return `<time datetime="${esc(full)}" title="${esc(full)}">${esc(full.slice(5, 19).replace('T', ' '))}</time>`;
}

/** For times the sandbox already holds as RFC 3339 text (notification attempts). */
export function timeHtmlOf(rfc3339: string | undefined): string {
  return rfc3339 === undefined ? '' : timeHtml(Date.parse(rfc3339));
}

/** Newest first, at most this many of each: a long benchmark run must not make a page of megabytes. */
export const MAX_ROWS_SHOWN = 200;

/** The newest `MAX_ROWS_SHOWN`, and a line saying how many older ones the JSON API still has. */
export function newest<T>(all: readonly T[], jsonPath: string): { shown: T[]; note: string } {
  const shown = all.slice(-MAX_ROWS_SHOWN).reverse();
  const hidden = all.length - shown.length;
  return {
    shown,
    note:
      hidden > 0
        ? `<p class="muted">${hidden} older not shown: see <a href="${esc(jsonPath)}">${esc(jsonPath)}</a></p>`
        : '',
  };
}
