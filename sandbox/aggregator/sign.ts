/**
 * The aggregator's signature (the common "md5-sorted" scheme): every non-empty field except
 * `sign`, sorted by key in ASCII order, joined as k=v with &, then "&key=<secret>"; MD5, upper
 * hex. Written here for the sandbox alone: it shares no code with the merchant server.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function aggregatorSign(fields: Readonly<Record<string, string>>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${k}=${fields[k] ?? ''}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${key}`, 'utf8').digest('hex').toUpperCase();
}

/** Constant time, so a forger learns nothing from how long a wrong guess took. */
export function aggregatorSignMatches(
  fields: Readonly<Record<string, string>>,
  key: string,
  sign: string,
): boolean {
  const expected = Buffer.from(aggregatorSign(fields, key));
  const given = Buffer.from(sign);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
