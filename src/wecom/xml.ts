import { XMLParser, XMLValidator } from 'fast-xml-parser';

// parseTagValue:false keeps every value a string: MsgIds exceed 2^53 and CDATA numbers
// would otherwise be turned into (wrong) numbers. No entity processing: nothing to expand.
const parser = new XMLParser({
  parseTagValue: false,
  processEntities: false,
  ignoreAttributes: true,
  trimValues: true,
});

/** WeCom's deepest message (a vote card's SelectedItems/SelectedItem/OptionIds/OptionId) is 5. */
export const MAX_XML_DEPTH = 6;
const MAX_XML_ELEMENTS = 256;
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}/;

/** One step of the screen: where the next tag starts and what it does to the depth. */
function tagAt(text: string, i: number): { next: number; delta: number } | null {
  if (text.startsWith('<![CDATA[', i)) {
    const end = text.indexOf(']]>', i + 9);
    return end < 0 ? null : { next: end + 3, delta: 0 };
  }
  if (text.startsWith('<?xml', i) && i === 0) {
    const end = text.indexOf('?>', i);
    return end < 0 ? null : { next: end + 2, delta: 0 };
  }
  const closing = text[i + 1] === '/';
  const name = NAME.exec(text.slice(i + (closing ? 2 : 1), i + 70))?.[0];
  // No DOCTYPE, ENTITY, comments or processing instructions: nothing but elements and CDATA.
  if (!name || RESERVED_NAMES.has(name.toLowerCase())) return null;
  const end = text.indexOf('>', i);
  if (end < 0) return null;
  if (closing) return { next: end + 1, delta: -1 };
  return { next: end + 1, delta: text[end - 1] === '/' ? 0 : 1 };
}

/**
 * A linear, non-throwing screen run before the parser sees anything: only elements and CDATA,
 * no reserved tag names (prototype pollution), at most MAX_XML_DEPTH deep and 256 elements.
 */
export function screenXml(text: string): boolean {
  let depth = 0;
  let elements = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i)) {
    const tag = tagAt(text, i);
    if (!tag) return false;
    depth += tag.delta;
    if (tag.delta > 0 && ++elements > MAX_XML_ELEMENTS) return false;
    if (depth > MAX_XML_DEPTH || depth < 0) return false;
    i = tag.next;
  }
  return depth === 0;
}

/**
 * Parses a flat `<xml>…</xml>` document to a map of strings; null when it is not one. Never
 * throws. WeCom's own documents (flat, CDATA or plain text, no entities) take a single-pass
 * fast path; anything else goes through the screen, fast-xml-parser's validator and parser.
 */
export function parseXml(text: string): Record<string, string> | null {
  return parseFlat(text) ?? parseXmlFull(text);
}

/** The full path: a screen rejects what the parser would choke on; the parser call is wrapped. */
export function parseXmlFull(text: string): Record<string, string> | null {
  if (!text.trim().startsWith('<') || !screenXml(text)) return null;
  let doc: { xml?: unknown };
  try {
    if (XMLValidator.validate(text) !== true) return null;
    doc = parser.parse(text) as { xml?: unknown };
  } catch {
    return null;
  }
  if (!doc || typeof doc.xml !== 'object' || doc.xml === null) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.xml as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (v !== null && typeof v === 'object') out[k] = JSON.stringify(v);
  }
  return out;
}

const OPEN = /^\s*<xml>/;
const CLOSE = /\s*<\/xml>\s*$/y;
/** One flat element: a name, then CDATA section(s) or plain text without markup or entities. */
const FLAT = /\s*<([A-Za-z_][\w.-]{0,63})>((?:<!\[CDATA\[[\s\S]*?\]\]>)+|[^<&]*)<\/\1>/y;
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;

/**
 * The fast path (issue #11, protocol path): one sticky-regex pass over a flat document; it
 * must consume everything between `<xml>` and `</xml>`; a duplicate or reserved name, too many
 * elements, attributes, nesting, entities, comments or a declaration make it give up
 * (undefined) and the full path decides. `<xml></xml>` is null, as on the full path.
 */
export function parseFlat(text: string): Record<string, string> | null | undefined {
  const open = OPEN.exec(text);
  if (!open) return undefined;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let n = 0;
  let i = open[0].length;
  for (;;) {
    CLOSE.lastIndex = i;
    if (CLOSE.test(text) && CLOSE.lastIndex === text.length) break;
    FLAT.lastIndex = i;
    const m = FLAT.exec(text);
    if (!m || ++n > MAX_XML_ELEMENTS) return undefined;
    const name = m[1];
    if (name in out || RESERVED_NAMES.has(name.toLowerCase())) return undefined;
    const raw = m[2];
    // CDATA is kept as written (sections joined); plain text is trimmed, as the parser does.
    out[name] = raw.startsWith('<![CDATA[') ? raw.replace(CDATA, '$1') : raw.trim();
    i = FLAT.lastIndex;
  }
  return n ? out : null;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The envelope's `<Encrypt>` value by a bounded scan (no XML parse of unauthenticated input):
 * exactly one element, optionally CDATA-wrapped, base64 only. Null otherwise; never throws.
 */
export function extractEncrypt(body: string, maxChars = 1 << 20): string | null {
  const open = '<Encrypt>';
  const start = body.indexOf(open);
  if (start < 0) return null;
  const end = body.indexOf('</Encrypt>', start + open.length);
  if (end < 0 || end - start > maxChars) return null;
  if (body.indexOf(open, end) >= 0) return null;
  let value = body.slice(start + open.length, end).trim();
  if (value.startsWith('<![CDATA[') && value.endsWith(']]>')) value = value.slice(9, -3).trim();
  return value.length >= 4 && value.length % 4 === 0 && BASE64.test(value) ? value : null;
}

/** Nested values (objects) become nested elements; strings go into CDATA. */
export function buildXml(fields: Record<string, unknown>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => element(k, v))
    .join('');
  return `<xml>${body}</xml>`;
}

function element(name: string, value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  if (typeof value === 'number') return `<${name}>${value}</${name}>`;
  const s = String(value ?? '').replaceAll(']]>', ']]]]><![CDATA[>');
  return `<${name}><![CDATA[${s}]]></${name}>`;
}

/** Parses nested XML (for template_card_event's SelectedItems); used only after validation. */
export function parseNested(text: string): Record<string, unknown> {
  return (parser.parse(text) as { xml: Record<string, unknown> }).xml;
}
