import { createHash } from 'node:crypto';

/** A short stable token for an identifier (e.g. a 学籍号) where it must not be readable: outbox keys are logged. */
export function opaque(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
