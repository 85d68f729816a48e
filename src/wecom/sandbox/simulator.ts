import { randomBytes } from 'node:crypto';
import { WecomCipher, type CipherCredentials } from '../crypto';
import { buildXml, parseXml } from '../xml';

/**
 * Plays WeCom's side of the callback protocol: builds the plaintext a member's message or
 * click would produce, encrypts and signs it like WeCom does. Used by the sandbox (`say`)
 * and by the tests, so both go through the real callback path.
 */
export type Simulated =
  | { as: string; text: string; msgId?: string }
  | { as: string; event: 'enter_agent' }
  | { as: string; event: 'click'; key: string }
  | {
      as: string;
      event: 'template_card_event';
      key: string;
      taskId: string;
      responseCode?: string;
    };

let seq = BigInt(Date.now()) * 1000n;

export function plaintextFor(
  corpId: string,
  agentId: string,
  m: Simulated,
  createTime = Math.floor(Date.now() / 1000),
): string {
  const common = { ToUserName: corpId, FromUserName: m.as, CreateTime: createTime };
  if ('text' in m) {
    // Real MsgIds exceed 2^53; ours do too, so nothing rounds them unnoticed.
    const msgId = m.msgId ?? String(7_000_000_000_000_000_000n + (seq++ % 1_000_000_000_000n));
    return buildXml({
      ...common,
      MsgType: 'text',
      Content: m.text,
      MsgId: msgId,
      AgentID: agentId,
    });
  }
  if (m.event === 'enter_agent' || m.event === 'click')
    return buildXml({
      ...common,
      MsgType: 'event',
      Event: m.event,
      EventKey: m.event === 'click' ? m.key : '',
      AgentID: agentId,
    });
  return buildXml({
    ...common,
    MsgType: 'event',
    Event: 'template_card_event',
    EventKey: m.key,
    TaskId: m.taskId,
    CardType: 'button_interaction',
    ResponseCode: m.responseCode ?? randomBytes(8).toString('hex'),
    AgentID: agentId,
  });
}

export interface SignedDelivery {
  query: { msg_signature: string; timestamp: string; nonce: string };
  body: string;
}

export function sealDelivery(
  creds: CipherCredentials & { agentId: string },
  plaintext: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
): SignedDelivery {
  const cipher = new WecomCipher(creds);
  const encrypted = cipher.seal(plaintext);
  const nonce = String(Math.floor(Math.random() * 1e9));
  return {
    query: { msg_signature: cipher.sign(timestamp, nonce, encrypted), timestamp, nonce },
    body: buildXml({ ToUserName: creds.corpId, AgentID: creds.agentId, Encrypt: encrypted }),
  };
}

/** Decrypts a passive reply envelope; returns the Content of the text reply, if any. */
export function openReply(creds: CipherCredentials, body: string): string | undefined {
  if (!body) return undefined;
  const env = parseXml(body);
  if (!env?.Encrypt) return undefined;
  const cipher = new WecomCipher(creds);
  cipher.verify(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt);
  return parseXml(cipher.open(env.Encrypt))?.Content;
}

export function generateCredentials(): CipherCredentials & { agentId: string; secret: string } {
  return {
    corpId: 'wwsandbox0000000001',
    agentId: '1000002',
    secret: randomBytes(24).toString('base64url'),
    token: randomBytes(12).toString('hex'),
    aesKey: randomBytes(32).toString('base64').slice(0, 43),
  };
}
