/**
 * API v2 bodies: one flat `<xml>` of named text fields (CDATA or escaped text). What comes from
 * outside is hostile: a size limit, no DTD or entity declarations (so no entity expansion or
 * external entities), one level of plain fields only, no control characters. Anything else is an
 * `XmlError`, and nothing has been read from it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CONTROL_IN_TEXT } from '../../../schemas/text';

/** WeChat's v2 answers and notifications are a few hundred bytes; 64 KiB is far above any. */
export const MAX_V2_XML_BYTES = 64 * 1024;

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// Tab, LF and CR are the only C0 characters a field may carry; DEL is refused too.
const CONTROL = CONTROL_IN_TEXT;

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Values stay strings exactly as sent ("0010" is not 10): signatures cover the text.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The five XML entities and character references only: a DOCTYPE never gets this far.
  processEntities: true,
  htmlEntities: false,
  cdataPropName: false,
});

/**
 * `<xml><a><![CDATA[x]]></a>…</xml>` → `{ a: 'x', … }`. `root`: the one element expected at the
 * top (`root` for the decrypted `req_info` of a refund notification).
 */
export function parseV2Xml(body: string, root = 'xml'): Record<string, string> {
  if (Buffer.byteLength(body, 'utf8') > MAX_V2_XML_BYTES) {
    throw new XmlError(`XML body over ${MAX_V2_XML_BYTES} bytes`);
  }
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(body)) {
    throw new XmlError('XML with a DTD or entity declarations is refused');
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new XmlError(`malformed XML: ${valid.err.msg}`);
  const doc = parser.parse(body) as Record<string, unknown>;
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== root)
    throw new XmlError(`the root element must be <${root}>`);
  const top = doc[root];
  if (top === '') return {};
  if (typeof top !== 'object' || top === null || Array.isArray(top)) {
    throw new XmlError(`<${root}> must hold named fields`);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(top)) {
    if (name.startsWith('@')) throw new XmlError('attributes are not part of a v2 body');
    if (name === '#text') {
      if (String(value).trim() !== '') throw new XmlError(`text directly inside <${root}>`);
      continue;
    }
    if (!FIELD_NAME.test(name)) throw new XmlError(`field name ${JSON.stringify(name)} refused`);
    if (Array.isArray(value)) throw new XmlError(`field ${name} appears more than once`);
    if (typeof value !== 'string') throw new XmlError(`field ${name} is not plain text`);
    if (CONTROL.test(value)) throw new XmlError(`field ${name} holds a control character`);
    fields[name] = value;
  }
  return fields;
}

/** `{ a: 'x' }` → `<xml><a><![CDATA[x]]></a></xml>`; numbers bare, as WeChat writes them. */
export function buildV2Xml(fields: Readonly<Record<string, string | number>>): string {
  const parts = Object.entries(fields).map(([name, value]) => {
    if (!FIELD_NAME.test(name)) throw new XmlError(`field name ${JSON.stringify(name)} refused`);
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new XmlError(`field ${name} is not an integer`);
      return `<${name}>${value}</${name}>`;
    }
    if (CONTROL.test(value)) throw new XmlError(`field ${name} holds a control character`);
    // "]]>" cannot sit inside CDATA: close the section around it.
    return `<${name}><![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]></${name}>`;
  });
  return `<xml>${parts.join('')}</xml>`;
}
