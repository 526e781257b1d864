/** API v2 writes times in Beijing time without a zone: yyyyMMddHHmmss and yyyy-MM-dd HH:mm:ss. */

const BEIJING_MS = 8 * 3600_000;

/** yyyyMMddHHmmss (Beijing) → epoch ms; undefined when malformed or not a real date. */
export function parseCompactBeijing(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(utc);
  // Date.UTC rolls 20240230 over into March; WeChat refuses such dates, so check nothing moved.
  const same =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s;
  return same ? utc - BEIJING_MS : undefined;
}

/** yyyy-MM-dd HH:mm:ss in Beijing time (refund success times). */
export function spacedBeijing(ms: number): string {
  return new Date(ms + BEIJING_MS).toISOString().slice(0, 19).replace('T', ' ');
}
