/**
 * What free text the API stores may hold. PostgreSQL refuses U+0000 in text (a 500 if it got
 * that far) while SQLite keeps it, and lone UTF-16 surrogates cannot be encoded as UTF-8 at all:
 * so both are refused at the schema, with the same 400 on both databases, before anything is
 * written. Other control characters are refused too: nothing a shopper types needs them, and a
 * remark or refund reason ends up in logs, admin tools and WeChat's refund records.
 */

/** C0 controls and DEL, except tab / LF / CR, which a multi-line remark may hold. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Any C0 control or DEL: a single line holds none. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_LINE = /[\u0000-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Ajv formats (name → check) and the words a refusal uses for each. */
export const TEXT_FORMATS = {
  'multi-line-text': {
    check: (s: string): boolean => !CONTROL_IN_TEXT.test(s) && !LONE_SURROGATE.test(s),
    says: 'must be text without control characters (line breaks and tabs allowed)',
  },
  'single-line-text': {
    check: (s: string): boolean => !CONTROL_IN_LINE.test(s) && !LONE_SURROGATE.test(s),
    says: 'must be one line of text without control characters',
  },
} as const;

export type TextFormat = keyof typeof TEXT_FORMATS;

/** The Ajv `formats` option. */
export const ajvTextFormats = Object.fromEntries(
  Object.entries(TEXT_FORMATS).map(([name, f]) => [name, f.check]),
) as Record<TextFormat, (s: string) => boolean>;

/** Rewrites Ajv's `must match format "single-line-text"` into what the rule is. */
export function describeFormatFailure(message: string): string {
  return message.replace(/must match format "([a-z-]+)"/g, (whole, name: string) =>
    name in TEXT_FORMATS ? TEXT_FORMATS[name as TextFormat].says : whole,
  );
}
