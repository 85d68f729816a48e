import { createCipheriv, createDecipheriv, randomFillSync, timingSafeEqual } from 'node:crypto';
import { getSignature } from '@wecom/crypto';
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

/** The AES key and IV an EncodingAESKey stands for (IV = the key's first 16 bytes). */
function deriveKey(encodingAESKey: string): { key: Buffer; iv: Buffer } | undefined {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  return key.length === 32 ? { key, iv: key.subarray(0, 16) } : undefined;
}

/**
 * 16 random bytes per sealed message, cut from a pool refilled by the CSPRNG 256 messages at a
 * time (one randomFillSync per message was ~3 % of the callback path's CPU).
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function random16Into(target: Buffer): void {
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(target, 0, poolAt, poolAt + 16);
  poolAt += 16;
}

/**
 * WeCom's message crypto: SHA1 signature, AES-256-CBC body, receiver id = our corp id.
 * Layout (as @wecom/crypto and WeCom's reference code): random(16) · length(4, BE) · message ·
 * receiver id, PKCS#7-padded to 32 bytes. The key is derived once here instead of on every
 * message as @wecom/crypto's encrypt/decrypt do; tests/unit/wecom-crypto.test.ts checks both
 * directions against WeCom's vectors and against @wecom/crypto itself.
 */
export class WecomCipher {
  private readonly aes: { key: Buffer; iv: Buffer } | undefined;

  constructor(private readonly creds: CipherCredentials) {
    this.aes = deriveKey(creds.aesKey);
  }

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

  /** Decrypts and checks the receiver id, which @wecom/crypto does not. */
  open(encrypted: string): string {
    let out: { message: string; id: string };
    try {
      out = this.decrypt(encrypted);
    } catch {
      throw new CallbackRejected('decrypt');
    }
    if (out.id !== this.creds.corpId) throw new CallbackRejected('receiver', 403);
    return out.message;
  }

  private decrypt(encrypted: string): { message: string; id: string } {
    if (!this.aes) throw new Error('invalid encodingAESKey');
    const decipher = createDecipheriv('aes-256-cbc', this.aes.key, this.aes.iv);
    decipher.setAutoPadding(false);
    let plain = Buffer.concat([decipher.update(encrypted, 'base64'), decipher.final()]);
    const pad = plain[plain.length - 1];
    if (pad >= 1 && pad <= 32) plain = plain.subarray(0, plain.length - pad);
    const length = plain.readUInt32BE(16);
    return {
      message: plain.subarray(20, length + 20).toString(),
      id: plain.subarray(length + 20).toString(),
    };
  }

  seal(plaintext: string): string {
    if (!this.aes) throw new Error('invalid encodingAESKey');
    const msg = Buffer.from(plaintext);
    const id = Buffer.from(this.creds.corpId);
    const size = 20 + msg.length + id.length;
    const pad = 32 - (size % 32);
    const block = Buffer.alloc(size + pad, pad);
    random16Into(block);
    block.writeUInt32BE(msg.length, 16);
    msg.copy(block, 20);
    id.copy(block, 20 + msg.length);
    const cipher = createCipheriv('aes-256-cbc', this.aes.key, this.aes.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64');
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
