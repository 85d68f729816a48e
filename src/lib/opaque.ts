import { createHash } from 'node:crypto';

/** A short stable token for an identifier (a 学籍号) where it must not be readable (logged keys). */
export function opaque(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
