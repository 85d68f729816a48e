import { startEmbedded } from '../../src/db/embedded';

/** One embedded MongoDB-wire server (jongodb) per Jest run; each test file gets its own database. */
export default async function globalSetup(): Promise<void> {
  const server = await startEmbedded();
  process.env.BAOXUE_TEST_MONGO = server.uri;
  (globalThis as Record<string, unknown>).__JONGODB__ = server;
}
