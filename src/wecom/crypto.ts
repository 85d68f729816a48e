import { randomBytes, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { buildXml } from './xml';

/** Why a callback was refused. Deliberately coarse: the HTTP answer says no more than this. */
export class CallbackRejected extends Error {
  constructor(
    readonly reason: 'signature' | 'receiver' | 'stale' | 'malformed' | 'too_large' | 'decrypt',
    readonly status = 400,
  ) {
    super(reason);
  }
}

export interface CipherCredentials {
  token: string;
  aesKey: string;
  corpId: string;
}

function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** WeCom's message crypto: SHA1 signature, AES-256-CBC body, receiver id = our corp id. */
export class WecomCipher {
  constructor(private readonly creds: CipherCredentials) {}

  sign(timestamp: string, nonce: string, encrypted: string): string {
    return getSignature(this.creds.token, timestamp, nonce, encrypted);
  }

  verify(signature: string, timestamp: string, nonce: string, encrypted: string): void {
    if (
      !signature ||
      !safeEqualHex(this.sign(timestamp, nonce, encrypted), signature.toLowerCase())
    ) {
      throw new CallbackRejected('signature', 401);
    }
  }

  /** Decrypts and checks the receiver id, which @wecom/crypto does not do. */
  open(encrypted: string): string {
    let out: { message: string; id: string };
    try {
      out = decrypt(this.creds.aesKey, encrypted);
    } catch {
      throw new CallbackRejected('decrypt');
    }
    if (out.id !== this.creds.corpId) throw new CallbackRejected('receiver', 403);
    return out.message;
  }

  seal(plaintext: string): string {
    return encrypt(this.creds.aesKey, plaintext, this.creds.corpId, randomBytes(16));
  }

  /** The encrypted passive-reply envelope. */
  replyEnvelope(plaintextXml: string, timestamp: string, nonce: string): string {
    const encrypted = this.seal(plaintextXml);
    return buildXml({
      Encrypt: encrypted,
      MsgSignature: this.sign(timestamp, nonce, encrypted),
      TimeStamp: timestamp,
      Nonce: nonce,
    });
  }
}
