import { XMLParser, XMLValidator } from 'fast-xml-parser';

// parseTagValue:false keeps every value a string: MsgIds exceed 2^53 and CDATA numbers
// would otherwise be turned into (wrong) numbers. No entity processing: nothing to expand.
const parser = new XMLParser({
  parseTagValue: false,
  processEntities: false,
  ignoreAttributes: true,
  trimValues: true,
});

/** Parses a flat `<xml>…</xml>` document to a map of strings; null when it is not one. */
export function parseXml(text: string): Record<string, string> | null {
  if (!text.trim().startsWith('<') || XMLValidator.validate(text) !== true) return null;
  const doc = parser.parse(text) as { xml?: unknown };
  if (!doc || typeof doc.xml !== 'object' || doc.xml === null) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.xml as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (v !== null && typeof v === 'object') out[k] = JSON.stringify(v);
  }
  return out;
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
