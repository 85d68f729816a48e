import { buildXml, parseXml } from '../../src/wecom/xml';
import { toInbound, InvalidMessage, dedupeKey } from '../../src/wecom/message';
import { splitText } from '../../src/wecom/client';
import { mergeTexts } from '../../src/outbox/outbox';

describe('XML parsing', () => {
  it('keeps CDATA numbers and long ids as strings', () => {
    const f = parseXml(
      '<xml><Content><![CDATA[00123]]></Content><MsgId>9223372036854775807</MsgId></xml>',
    )!;
    expect(f.Content).toBe('00123');
    expect(f.MsgId).toBe('9223372036854775807');
  });

  it.each([
    ['not xml', 'hello'],
    ['unclosed', '<xml><a>1</xml>'],
    ['no xml root', '<root><a>1</a></root>'],
    ['empty', ''],
  ])('returns null for malformed input (%s)', (_n, text) => {
    expect(parseXml(text)).toBeNull();
  });

  it('does not expand entities (no XXE, no billion laughs)', () => {
    const evil = '<!DOCTYPE x [<!ENTITY a "AAAA">]><xml><Content>&a;</Content></xml>';
    const f = parseXml(evil);
    expect(f?.Content ?? '').not.toContain('AAAA');
  });

  it('escapes ]]> inside CDATA when building', () => {
    const xml = buildXml({ Content: 'a]]>b' });
    expect(parseXml(xml)!.Content).toBe('a]]>b');
  });
});

describe('message narrowing', () => {
  const base = { ToUserName: 'corp', FromUserName: 'u1', CreateTime: '1700000000' };
  it('understands click events case-insensitively', () => {
    expect(
      toInbound({ ...base, MsgType: 'event', Event: 'CLICK', EventKey: 'todo' }),
    ).toMatchObject({ kind: 'click', key: 'todo' });
    expect(toInbound({ ...base, MsgType: 'event', Event: 'enter_agent' })).toMatchObject({
      kind: 'enter_agent',
    });
  });
  it('understands template_card_event', () => {
    expect(
      toInbound({
        ...base,
        MsgType: 'event',
        Event: 'template_card_event',
        EventKey: 'ob:1',
        TaskId: 't1',
        ResponseCode: 'rc',
      }),
    ).toMatchObject({ kind: 'card', key: 'ob:1', taskId: 't1', responseCode: 'rc' });
  });
  it('acknowledges other types as ignored', () => {
    expect(toInbound({ ...base, MsgType: 'image', MsgId: '1' })).toMatchObject({
      kind: 'ignored',
      type: 'image',
    });
    expect(toInbound({ ...base, MsgType: 'event', Event: 'LOCATION' })).toMatchObject({
      kind: 'ignored',
      type: 'event:location',
    });
  });
  it('rejects a text without MsgId or with a bad sender', () => {
    expect(() => toInbound({ ...base, MsgType: 'text', Content: 'x' })).toThrow(InvalidMessage);
    expect(() =>
      toInbound({ ...base, FromUserName: '', MsgType: 'text', Content: 'x', MsgId: '1' }),
    ).toThrow(InvalidMessage);
  });
  it('dedupes events by the whole plaintext, not sender+time', () => {
    const e = toInbound({ ...base, MsgType: 'event', Event: 'click', EventKey: 'a' });
    expect(dedupeKey(e, '<xml>a</xml>')).not.toBe(dedupeKey(e, '<xml>b</xml>'));
  });
});

describe('text splitting and merging', () => {
  it('splits long text into ≤2048-byte pieces without losing a character', () => {
    const text = Array.from({ length: 300 }, (_, i) => `第${i}行：张三缺勤一天，班主任需家访`).join(
      '\n',
    );
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2048);
    expect(parts.join('\n')).toBe(text);
  });
  it('splits a single over-long line by characters', () => {
    const text = '缺'.repeat(1500);
    const parts = splitText(text);
    expect(parts.join('')).toBe(text);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2048);
  });
  it('merges consecutive fresh texts up to the limit, keeps cards alone', () => {
    const t = (c: string, attempts = 0) => ({ kind: 'text', payload: { content: c }, attempts });
    const card = { kind: 'template_card', payload: {}, attempts: 0 };
    const batches = mergeTexts([
      t('a'),
      t('b'),
      card,
      t('c'),
      t('d', 1),
      t('x'.repeat(2040)),
      t('y'),
    ]);
    expect(batches.map((b) => b.length)).toEqual([2, 1, 1, 1, 1, 1]);
  });
});
