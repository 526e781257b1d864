/** API v2's times: `yyyyMMddHHmmss` in China time (UTC+8, no daylight saving). */
const BEIJING_MS = 8 * 3600_000;

export function v2Time(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000 + BEIJING_MS)
    .toISOString()
    .slice(0, 19)
    .replace(/[-T:]/g, '');
}

/** `20261204101530` → RFC 3339 `2026-12-04T10:15:30+08:00`; undefined when malformed. */
export function rfc3339FromV2(t: string | undefined): string | undefined {
  const m = t === undefined ? null : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(t);
  if (!m) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`;
}
