import { freePort } from '../lib/free-port';
import { loadSettings } from '../config/settings';
import { startEmbedded } from '../db/embedded';
import { withDbName } from '../db/connect';
import { boot } from '../boot';
import { OffsetClock } from '../lib/clock';
import { PiiCipher } from '../lib/pii';
import { generateCredentials } from '../wecom/sandbox/simulator';
import { loadDemoDistrict } from '../roster/demo-load';
import { playDemoWeek } from '../sandbox/demo-week';
import { demoDriver } from '../sandbox/routes';

/**
 * `npm run demo`: a throwaway sandbox (embedded database, fake WeCom) plays a scripted school
 * week through the real callback path and prints it as a transcript.
 */

async function main(): Promise<void> {
  const embedded = await startEmbedded();
  const port = await freePort();
  const clock = new OffsetClock();
  const selfUrl = () => `http://127.0.0.1:${port}`;
  const bot = await boot({
    settings: loadSettings(),
    mongoUri: withDbName(embedded.uri, 'demo'),
    creds: generateCredentials(),
    apiBase: `${selfUrl()}/sandbox`,
    sandbox: true,
    dataKey: PiiCipher.generateKey(),
    clock,
    selfUrl,
  });
  try {
    await bot.listen(port);
    await loadDemoDistrict(bot.services.pii);
    await playDemoWeek(
      demoDriver({
        services: bot.services,
        clock,
        reporting: bot.features.reporting,
        handoffs: bot.features.handoffs,
        runner: bot.runner!,
        selfUrl,
      }),
      (line) => console.log(line),
    );
  } finally {
    await bot.close();
    await embedded.stop();
  }
}

main().catch((err) => {
  console.error(`演示失败：${(err as Error).message}`);
  process.exit(1);
});
