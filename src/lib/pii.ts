import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Guardians' phones and home addresses are personal data of minors: AES-256-GCM at rest,
 * never logged, masked in chat unless the viewer is the student's own teacher or leader.
 */
export class PiiCipher {
  private readonly key: Buffer;
  constructor(hexKey: string) {
    this.key = Buffer.from(hexKey, 'hex');
    if (this.key.length !== 32) throw new Error('PII key must be 32 bytes (64 hex characters)');
  }

  static generateKey(): string {
    return randomBytes(32).toString('hex');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1:${iv.toString('base64')}:${c.getAuthTag().toString('base64')}:${data.toString('base64')}`;
  }

  open(sealed: string): string {
    const [v, iv, tag, data] = sealed.split(':');
    if (v !== 'v1') throw new Error('unknown PII format');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(data, 'base64')), d.final()]).toString('utf8');
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
