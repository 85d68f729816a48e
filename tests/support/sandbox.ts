import { freePort } from '../../src/lib/free-port';
import { boot, type Baoxue } from '../../src/boot';
import { OffsetClock } from '../../src/lib/clock';
import { generateCredentials } from '../../src/wecom/sandbox/simulator';
import { loadDemoDistrict } from '../../src/roster/demo-load';
import { testSettings, testUri, TEST_DATA_KEY } from './harness';

/** A real sandbox server (fake WeCom API, offset clock, demo district) on a free loopback port. */
export async function startSandbox(): Promise<{ bot: Baoxue; url: string; clock: OffsetClock }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const clock = new OffsetClock();
  const bot = await boot({
    settings: testSettings(),
    mongoUri: testUri(),
    creds: generateCredentials(),
    apiBase: `${url}/sandbox`,
    sandbox: true,
    dataKey: TEST_DATA_KEY,
    clock,
    selfUrl: () => url,
  });
  await bot.listen(port);
  await loadDemoDistrict(bot.services.pii, true);
  bot.runner!.start(200);
  return { bot, url, clock };
}
