import fc from 'fast-check';
import { parseFlat, parseXml, parseXmlFull } from '../../src/wecom/xml';

/**
 * Issue #11 (protocol path): the single-pass parse of WeCom's flat documents must answer
 * exactly what the full path (screen + fast-xml-parser's validator and parser) answers, on
 * generated flat documents: CDATA (split into sections too), plain text, empty tags, numbers
 * kept as strings, MsgIds past 2^53, entities and odd whitespace. Documents it does not take
 * (entities, duplicates) must fall through to the full path with the same result.
 */
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,11}$/);
const cdataText = fc.string({ maxLength: 30 }).map((s) => s.replaceAll(']]>', ''));
const plainChar = fc.constantFrom(...'abcXYZ019 \t\n.,:;!?-_/()[]{}"\'=>%#@中文缺勤，。'.split(''));
const plain = fc.array(plainChar, { maxLength: 30 }).map((a) => a.join(''));
const space = fc.constantFrom('', ' ', '\n', '\r\n  ', '\t');

type Value = { xml: string; takesFastPath: boolean };
const value: fc.Arbitrary<Value> = fc.oneof(
  fc
    .array(cdataText, { minLength: 1, maxLength: 3 })
    .map((parts) => ({ xml: parts.map((p) => `<![CDATA[${p}]]>`).join(''), takesFastPath: true })),
  plain.map((t) => ({ xml: t, takesFastPath: true })),
  fc.constant({ xml: '', takesFastPath: true }),
  fc.bigInt({ min: 0n, max: 2n ** 64n }).map((n) => ({ xml: String(n), takesFastPath: true })),
  fc.constantFrom('00123', '-1', '1.50', '1e3').map((t) => ({ xml: t, takesFastPath: true })),
  fc
    .constantFrom('&amp;', 'a &lt; b', '&#20013;', '&gt;x')
    .map((t) => ({ xml: t, takesFastPath: false })),
);

const doc = fc
  .uniqueArray(fc.tuple(name, value, space), { selector: ([n]) => n, maxLength: 12 })
  .chain((els) =>
    fc.tuple(space, space).map(([lead, tail]) => ({
      xml: `${lead}<xml>${els.map(([n, v, s]) => `${s}<${n}>${v.xml}</${n}>`).join('')}${tail}</xml>${lead}`,
      fast: els.every(([n, v]) => v.takesFastPath && !isReserved(n)),
    })),
  );

function isReserved(n: string): boolean {
  return ['__proto__', 'constructor', 'prototype'].includes(n.toLowerCase());
}

const plainObject = (r: Record<string, string> | null | undefined) => (r ? { ...r } : r);

describe('XML fast path (issue #11 item 3)', () => {
  it('answers exactly what the full parser answers on generated flat documents', () => {
    fc.assert(
      fc.property(doc, ({ xml, fast }) => {
        const full = parseXmlFull(xml);
        expect(plainObject(parseXml(xml))).toEqual(plainObject(full));
        if (fast) expect(parseFlat(xml)).not.toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps MsgIds past 2^53 and numbers as the strings they were', () => {
    const f = parseFlat(
      '<xml><MsgId>9223372036854775807</MsgId><AgentID>1000002</AgentID>' +
        '<Content><![CDATA[00123]]></Content></xml>',
    );
    expect(f).toEqual({ MsgId: '9223372036854775807', AgentID: '1000002', Content: '00123' });
  });

  it.each([
    ['nested (SelectedItems)', '<xml><A><B>1</B></A></xml>'],
    ['attributes', '<xml><A x="1">1</A></xml>'],
    ['self-closing', '<xml><A/></xml>'],
    ['duplicate names', '<xml><A>1</A><A>2</A></xml>'],
    ['entities', '<xml><A>&amp;</A></xml>'],
    ['a declaration', '<?xml version="1.0"?><xml><A>1</A></xml>'],
    ['a reserved name', '<xml><__proto__>1</__proto__></xml>'],
    ['trailing text', '<xml><A>1</A></xml>x'],
    ['a comment', '<xml><!-- c --><A>1</A></xml>'],
  ])('leaves %s to the full path, with its answer', (_n, xml) => {
    expect(parseFlat(xml)).toBeUndefined();
    expect(plainObject(parseXml(xml))).toEqual(plainObject(parseXmlFull(xml)));
  });

  it('answers null for <xml></xml>, as the full path does', () => {
    expect(parseFlat('<xml></xml>')).toBeNull();
    expect(parseXmlFull('<xml></xml>')).toBeNull();
  });

  it('returns an object without a prototype to pollute', () => {
    const f = parseFlat('<xml><A>1</A><toString>2</toString></xml>')!;
    expect(Object.getPrototypeOf(f)).toBeNull();
    expect(Object.keys(f)).toEqual(['A', 'toString']);
    expect(({} as Record<string, unknown>).A).toBeUndefined();
  });
});
