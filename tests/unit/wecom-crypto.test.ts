import { CallbackRejected, WecomCipher } from '../../src/wecom/crypto';
import { decrypt, encrypt } from '@wecom/crypto';
import { OFFICIAL } from '../support/harness';
import { parseXml } from '../../src/wecom/xml';
import { toInbound, dedupeKey } from '../../src/wecom/message';
import { POST_VECTOR } from '../fixtures/vectors';

// WeCom's published test vectors (token QDG6eK, corp wx5823bf96d3bd56c7).
const ECHO = {
  sig: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  ts: '1409659589',
  nonce: '263014780',
  echostr:
    'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
};

describe('WeCom crypto with the official test vectors', () => {
  const cipher = new WecomCipher(OFFICIAL);

  it('verifies the URL-verification signature and decrypts echostr', () => {
    expect(() => cipher.verify(ECHO.sig, ECHO.ts, ECHO.nonce, ECHO.echostr)).not.toThrow();
    expect(cipher.open(ECHO.echostr)).toBe('1616140317555161061');
  });

  it('decrypts the official message; MsgId above 2^53 stays an exact string', () => {
    cipher.verify(POST_VECTOR.sig, POST_VECTOR.ts, POST_VECTOR.nonce, POST_VECTOR.encrypt);
    const fields = parseXml(cipher.open(POST_VECTOR.encrypt))!;
    const msg = toInbound(fields);
    expect(msg).toEqual({
      kind: 'text',
      from: 'mycreate',
      createTime: 1409659813,
      content: 'hello',
      msgId: '4561255354251345929',
    });
    expect(dedupeKey(msg, '')).toBe('msg:4561255354251345929');
  });

  it('rejects a forged signature (any one character changed)', () => {
    const forged = POST_VECTOR.sig.slice(0, -1) + (POST_VECTOR.sig.endsWith('6') ? '7' : '6');
    expect(() =>
      cipher.verify(forged, POST_VECTOR.ts, POST_VECTOR.nonce, POST_VECTOR.encrypt),
    ).toThrow(CallbackRejected);
    expect(() => cipher.verify('', POST_VECTOR.ts, POST_VECTOR.nonce, POST_VECTOR.encrypt)).toThrow(
      CallbackRejected,
    );
  });

  it('checks the receiver id, which @wecom/crypto does not', () => {
    const other = new WecomCipher({ ...OFFICIAL, corpId: 'wwSOMEONEELSE' });
    const sealed = other.seal('<xml></xml>');
    expect(() => cipher.open(sealed)).toThrow(expect.objectContaining({ reason: 'receiver' }));
  });

  it('round-trips a reply envelope that WeCom can verify', () => {
    const env = parseXml(
      cipher.replyEnvelope('<xml><Content><![CDATA[好]]></Content></xml>', '1700000000', '42'),
    )!;
    expect(() =>
      cipher.verify(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt),
    ).not.toThrow();
    expect(parseXml(cipher.open(env.Encrypt))!.Content).toBe('好');
  });
});

describe('WecomCipher derives the AES key once and stays byte-compatible with @wecom/crypto', () => {
  // issue #11 (protocol path): seal/open no longer call @wecom/crypto's encrypt/decrypt, which
  // re-derive the key on every message; these prove the format did not move.
  const cipher = new WecomCipher(OFFICIAL);
  // Lengths around the 32-byte padding blocks, multi-byte text, an empty message.
  const messages = [
    '',
    'a',
    '好',
    'x'.repeat(11),
    'x'.repeat(12),
    'x'.repeat(44),
    '缺勤 张三 全天',
  ];

  it.each(messages)('@wecom/crypto decrypts what seal wrote (%j)', (m) => {
    const out = decrypt(OFFICIAL.aesKey, cipher.seal(m));
    expect(out.message).toBe(m);
    expect(out.id).toBe(OFFICIAL.corpId);
  });

  it.each(messages)('open reads what @wecom/crypto encrypted (%j)', (m) => {
    expect(cipher.open(encrypt(OFFICIAL.aesKey, m, OFFICIAL.corpId))).toBe(m);
  });

  it('seal uses fresh random bytes for every message (pooled, never repeated)', () => {
    const randoms = new Set(
      Array.from({ length: 600 }, () =>
        decrypt(OFFICIAL.aesKey, cipher.seal('x')).random.toString('hex'),
      ),
    );
    expect(randoms.size).toBe(600);
  });

  it('a bad EncodingAESKey still fails only where it is used: open → decrypt rejection', () => {
    const bad = new WecomCipher({ ...OFFICIAL, aesKey: 'short' });
    expect(() => bad.open(POST_VECTOR.encrypt)).toThrow(
      expect.objectContaining({ reason: 'decrypt' }),
    );
    expect(() => bad.seal('x')).toThrow('invalid encodingAESKey');
  });

  it('garbage ciphertext is a decrypt rejection, not a crash', () => {
    expect(() => cipher.open('AAAA')).toThrow(expect.objectContaining({ reason: 'decrypt' }));
    expect(() => cipher.open('')).toThrow(CallbackRejected);
  });
});
