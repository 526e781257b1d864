/** JSON with object keys sorted at every level: equal parameters give equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time with an explicit offset; undefined when malformed or impossible. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2024-02-30 over into March; WeChat rejects it, so check the fields survive.
  const [, y, mo, d, h, mi, s, , zone] = m;
  const offsetMin =
    zone === 'Z' || zone === undefined
      ? 0
      : (zone.startsWith('-') ? -1 : 1) *
        (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const local = new Date(ms + offsetMin * 60_000);
  const same =
    local.getUTCFullYear() === Number(y) &&
    local.getUTCMonth() + 1 === Number(mo) &&
    local.getUTCDate() === Number(d) &&
    local.getUTCHours() === Number(h) &&
    local.getUTCMinutes() === Number(mi) &&
    local.getUTCSeconds() === Number(s);
  return same ? ms : undefined;
}

/**
 * notify_url rules: absolute https URL (http allowed for loopback hosts so a local merchant can be
 * notified), no query string, no fragment, ≤ 255 chars. Returns the problem, if any.
 */
export function notifyUrlProblem(text: string): string | undefined {
  if (text.length > 255) return 'notify_url长度不能超过255';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'notify_url格式不正确';
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return 'notify_url必须为https地址';
  }
  if (url.search !== '' || text.includes('?')) return 'notify_url不能携带查询参数';
  if (url.hash !== '' || text.includes('#')) return 'notify_url不能携带锚点';
  return undefined;
}
