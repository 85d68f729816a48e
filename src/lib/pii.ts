import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What a sealed value looks like: `v1:<iv>:<tag>:<data>`, base64 (12-byte iv, 16-byte tag). */
export const SEALED_PATTERN = /^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]*={0,2}$/;

function toKey(hexKey: string): Buffer {
  if (!/^[0-9a-f]{64}$/i.test(hexKey))
    throw new Error('PII key must be 32 bytes (64 hex characters)');
  return Buffer.from(hexKey, 'hex');
}

/**
 * Personal data at rest (guardians' phones and home addresses, outbox payloads): AES-256-GCM,
 * never logged, masked in chat unless the viewer is the student's own teacher or leader.
 *
 * Values are sealed under the current key. During a key rotation the previous key is given too
 * (`previous`): values under it stay readable while `npm run rekey` moves them to the new key.
 * GCM's tag tells the keys apart, so the format needs no key id.
 */
export class PiiCipher {
  private readonly keys: Buffer[];

  constructor(hexKey: string, previous: string[] = []) {
    this.keys = [toKey(hexKey), ...previous.map(toKey)];
  }

  static generateKey(): string {
    return randomBytes(32).toString('hex');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.keys[0], iv);
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    const parts = [iv, c.getAuthTag(), data].map((b) => b.toString('base64'));
    return `v1:${parts.join(':')}`;
  }

  /** The plaintext, or undefined when none of the keys sealed it (or it is not a sealed value). */
  tryOpen(sealed: string, currentOnly = false): string | undefined {
    const [v, iv, tag, data] = sealed.split(':');
    if (v !== 'v1' || data === undefined) return undefined;
    for (const key of currentOnly ? this.keys.slice(0, 1) : this.keys) {
      try {
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        d.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([d.update(Buffer.from(data, 'base64')), d.final()]).toString('utf8');
      } catch {
        // another key, or not ours
      }
    }
    return undefined;
  }

  /** True when `sealed` is already under the current key (rekey skips it). */
  isCurrent(sealed: string): boolean {
    return this.tryOpen(sealed, true) !== undefined;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('unknown PII format');
    const plain = this.tryOpen(sealed);
    if (plain === undefined) throw new Error('PII sealed under an unknown key');
    return plain;
  }
}

/** 13812341234 → 138****1234; landlines keep the last four. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  return digits.length > 4 ? `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}` : '****';
}

export function maskAddress(address: string): string {
  const chars = [...address];
  return chars.length <= 6 ? '***' : `${chars.slice(0, 6).join('')}***`;
}
