import fc from 'fast-check';

/**
 * Issue #10, bad input: what the callback fuzz sends (bodies, query strings, encodings, sizes,
 * XML entity tricks, deep nesting, odd tags). Shared by the fuzz suite and its heap probe.
 */
export const nowS = () => Math.floor(Date.now() / 1000);
const deep = (n: number, tag: string) => `${`<${tag}>`.repeat(n)}x${`</${tag}>`.repeat(n)}`;

/** XML-ish bodies: entity tricks, deep nesting, odd and reserved tags, CDATA, an Encrypt. */
export const xmlish = fc.oneof(
  fc.constantFrom(
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>',
    '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x"> %p;]><xml/>',
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml>&b;</xml>',
    '<xml><Encrypt><![CDATA[]]></Encrypt></xml>',
    '<xml><Encrypt><![CDATA[QUJD]]]]><![CDATA[>]]></Encrypt></xml>',
    '<?xml version="1.0" encoding="UTF-16"?><xml/>',
  ),
  fc
    .tuple(
      fc.integer({ min: 1, max: 3000 }),
      fc.constantFrom('a', '__proto__', 'constructor', 'prototype', 'Encrypt', 'xml'),
    )
    .map(([n, tag]) => `<xml>${deep(n, tag)}</xml>`),
  fc
    .array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })), { maxLength: 12 })
    .map((kv) => `<xml>${kv.map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</xml>`),
  fc.base64String({ maxLength: 400 }).map((b) => `<xml><Encrypt>${b}</Encrypt></xml>`),
);

export const body = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  xmlish,
  fc.uint8Array({ maxLength: 500 }).map((u) => Buffer.from(u)),
  fc
    .integer({ min: 60_000, max: 80_000 })
    .map((n) => `<xml><Encrypt>${'A'.repeat(n)}</Encrypt></xml>`),
);

const queryValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 40, maxLength: 40 }),
  fc.integer({ min: -5000, max: 5000 }).map((d) => String(nowS() + d)),
  fc.constant(''),
);
export const query = fc.record(
  { msg_signature: queryValue, timestamp: queryValue, nonce: queryValue, echostr: queryValue },
  { requiredKeys: [] },
);
export const contentType = fc.constantFrom(
  'text/xml',
  'application/xml; charset=utf-8',
  'text/xml; charset=gbk',
  'application/json',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
);
