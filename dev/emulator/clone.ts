/**
 * How data crosses between mini programs (extraData, enter options): WeChat serialises it, so a
 * JSON round trip is the faithful copy (functions and undefined drop out, Dates become strings).
 * structuredClone would keep what WeChat loses, and jest's jsdom environment lacks it anyway.
 */
export function crossAppCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
