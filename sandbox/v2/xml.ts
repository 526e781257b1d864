/**
 * The flat XML of WeChat Pay API v2: `<xml><field>value</field>…</xml>`. Bodies come from outside,
 * so this is a deliberately tiny parser: no DTD, no entities beyond XML's five and character
 * references, no attributes, no nested elements, no comments. Anything else is refused.
 */

export class XmlFormatError extends Error {}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const OPEN_TAG = new RegExp(`<(${NAME})>`, 'y');
const DECLARATION = /<\?xml[^?<>]*\?>/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(text: string): string {
  return text.replace(/&([^;&<]*);|&/g, (all, ref: string | undefined) => {
    if (ref === undefined) throw new XmlFormatError('bare & in text');
    const named = PREDEFINED[ref];
    if (named !== undefined) return named;
    const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (num === null) throw new XmlFormatError(`entity &${ref}; is not allowed`);
    const code = num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new XmlFormatError(`bad character reference ${all}`);
    }
    return String.fromCodePoint(code);
  });
}

/** Parses `<root>` with one level of text-only children into a field map. */
export function parseFlatXml(text: string, root = 'xml'): Record<string, string> {
  // DTDs, entity declarations and comments are the doors of XXE and billion-laughs attacks.
  if (/<!(?!\[CDATA\[)/.test(text)) throw new XmlFormatError('DTD, entity or comment not allowed');
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text.charAt(pos))) pos++;
  };
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  skipSpace();
  DECLARATION.lastIndex = pos;
  if (DECLARATION.test(text)) pos = DECLARATION.lastIndex;
  skipSpace();
  const rootOpen = `<${root}>`;
  if (!text.startsWith(rootOpen, pos))
    throw new XmlFormatError(`document must start with ${rootOpen}`);
  pos += rootOpen.length;
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (;;) {
    skipSpace();
    if (text.startsWith(`</${root}>`, pos)) {
      pos += root.length + 3;
      break;
    }
    OPEN_TAG.lastIndex = pos;
    const open = OPEN_TAG.exec(text);
    if (open === null || open[1] === undefined) {
      throw new XmlFormatError(`expected a field element at offset ${pos} (no attributes allowed)`);
    }
    const name = open[1];
    pos = OPEN_TAG.lastIndex;
    const close = `</${name}>`;
    let value = '';
    for (;;) {
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos + 9);
        if (end < 0) throw new XmlFormatError('unterminated CDATA section');
        value += text.slice(pos + 9, end);
        pos = end + 3;
      } else if (text.startsWith(close, pos)) {
        pos += close.length;
        break;
      } else if (text.charAt(pos) === '<') {
        throw new XmlFormatError(`<${name}> must hold text only`);
      } else {
        const next = text.indexOf('<', pos);
        if (next < 0) throw new XmlFormatError(`unterminated <${name}>`);
        value += decodeText(text.slice(pos, next));
        pos = next;
      }
    }
    if (Object.hasOwn(fields, name)) throw new XmlFormatError(`duplicate field ${name}`);
    fields[name] = value;
  }
  skipSpace();
  if (pos !== text.length) throw new XmlFormatError(`content after </${root}>`);
  return { ...fields };
}

/** Serialises a field map the way WeChat writes it: digits bare, everything else in CDATA. */
export function buildFlatXml(fields: Record<string, string | undefined>, root = 'xml'): string {
  const parts = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => {
      const body = /^\d+$/.test(v) ? v : `<![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
      return `<${k}>${body}</${k}>`;
    });
  return `<${root}>${parts.join('')}</${root}>`;
}
