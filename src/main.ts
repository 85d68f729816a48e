import { ConfigError, credentialsFrom, parseEnv } from './config/env';
import { loadSettings } from './config/settings';
import { startEmbedded, type EmbeddedServer } from './db/embedded';
import { generateCredentials } from './wecom/sandbox/simulator';
import { logger } from './lib/logger';
import { boot } from './boot';
import { OffsetClock, systemClock } from './lib/clock';
import { withDbName } from './db/connect';
import { PiiCipher } from './lib/pii';
import { loadDemoDistrict } from './roster/demo-load';
import { sandboxBanner } from './sandbox/hint';
import {
  clearSandboxHandoff,
  handoffApp,
  writeSandboxHandoff,
  type Handoff,
} from './sandbox-handoff';

type RunEnv = ReturnType<typeof parseEnv>;
type Bot = Awaited<ReturnType<typeof boot>>;

/** MONGODB_URI, or else the embedded (ephemeral) database. */
async function openDatabase(env: RunEnv): Promise<{ mongoUri: string; embedded?: EmbeddedServer }> {
  if (env.MONGODB_URI) return { mongoUri: env.MONGODB_URI };
  const embedded = await startEmbedded();
  logger.warn(
    'No MONGODB_URI: using the EMBEDDED database (jongodb). ' +
      'It is EPHEMERAL — all data is lost when the bot stops. Set MONGODB_URI for real use.',
  );
  return { mongoUri: withDbName(embedded.uri, 'baoxue'), embedded };
}

async function listen(env: RunEnv, bot: Bot, embedded?: EmbeddedServer): Promise<void> {
  try {
    await bot.listen(env.PORT, env.HOST);
  } catch (err) {
    await bot.close();
    await embedded?.stop();
    if ((err as { code?: string }).code === 'EADDRINUSE')
      throw new ConfigError(
        `Port ${env.PORT} is already in use: stop the other program or set PORT, ` +
          'e.g. PORT=3001 npm start',
      );
    throw err;
  }
}

/** Sandbox: the demo district, the handoff file for the CLI, the sandbox clock's runner. */
async function startSandbox(bot: Bot, handoff: Handoff): Promise<void> {
  const loaded = await loadDemoDistrict(bot.services.pii);
  if (loaded) logger.info(loaded, 'demo district loaded');
  writeSandboxHandoff(handoff);
  bot.runner!.start();
  logger.info(
    { url: handoff.url },
    'SANDBOX mode: no WeCom credentials set; a fake WeCom API runs in-process.',
  );
  process.stdout.write(await sandboxBanner(handoff.url));
}

function stopOnSignals(env: RunEnv, bot: Bot, embedded?: EmbeddedServer): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await bot.close();
    await embedded?.stop();
    if (env.sandbox) clearSandboxHandoff();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function main(): Promise<void> {
  const env = parseEnv(process.env);
  const settings = loadSettings();
  const { mongoUri, embedded } = await openDatabase(env);
  const creds = credentialsFrom(env) ?? generateCredentials();
  const port = env.PORT;
  const selfUrl = env.BAOXUE_PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  const apiBase = env.sandbox ? `http://127.0.0.1:${port}/sandbox` : env.WECOM_API_BASE;
  // Sandbox: a generated key (its embedded data is ephemeral anyway). Production: env.ts needs one.
  const dataKey = env.BAOXUE_DATA_KEY ?? PiiCipher.generateKey();
  // Sandbox: time can be fast-forwarded, so jobs run by the sandbox clock, not Agenda's loop.
  const clock = env.sandbox ? new OffsetClock() : systemClock;
  const bot = await boot({
    settings,
    mongoUri,
    creds,
    apiBase,
    sandbox: env.sandbox,
    dataKey,
    dataKeyOld: env.BAOXUE_DATA_KEY_OLD,
    clock,
    startScheduler: !env.sandbox,
    selfUrl: () => `http://127.0.0.1:${port}`,
  });
  await listen(env, bot, embedded);
  if (env.sandbox) {
    const wecom = handoffApp(apiBase, creds);
    await startSandbox(bot, { mongoUri, dataKey, url: selfUrl, wecom });
  } else {
    logger.info({ port, corpId: creds.corpId }, 'listening for WeCom callbacks at /wecom/callback');
  }
  stopOnSignals(env, bot, embedded);
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    logger.fatal({ err: err.message, stack: err.stack }, 'failed to start');
  }
  process.exit(1);
});
