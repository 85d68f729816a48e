import type { EmbeddedServer } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  await ((globalThis as Record<string, unknown>).__JONGODB__ as EmbeddedServer | undefined)?.stop();
}
