import { existsSync } from 'node:fs';
import nock from 'nock';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSandbox } from '../support/sandbox';

/**
 * The browser suites drive Debian's Chromium and Firefox ESR. On a machine with only Node (as
 * the README's quick start promises) they are skipped with a one-line notice; `.ci/run`
 * installs both and sets BAOXUE_REQUIRE_BROWSERS=1, which makes a missing browser a failure.
 */
export function browserAt(path: string, name: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.BAOXUE_REQUIRE_BROWSERS === '1') {
    throw new Error(`${name} not found at ${path}: .ci/run installs it (apt-get install)`);
  }
  process.stderr.write(`skipping the ${name} tests: ${path} is not installed\n`);
  return false;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with no traffic beyond loopback (no updates, sync or QUIC). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/**
 * One test file's Chromium on a fresh sandbox: started before the file, closed after, handed to
 * `got` once open. Returns the `describe` to use (skipped when Chromium is absent).
 */
export function chromiumOnSandbox(
  viewport: { width: number; height: number },
  got: (it: { browser: Browser; page: Page; sandbox: Sandbox }) => void,
): jest.Describe {
  const present = browserAt(CHROMIUM, 'Chromium');
  let opened: { browser?: Browser; sandbox?: Sandbox } = {};
  beforeAll(async () => {
    if (!present) return;
    nock.enableNetConnect();
    const sandbox = await startSandbox();
    opened = { sandbox };
    const browser = await launchChromium();
    opened.browser = browser;
    got({ browser, page: await browser.newPage({ viewport, locale: 'zh-CN' }), sandbox });
  }, 60_000);
  afterAll(async () => {
    await opened.browser?.close();
    await opened.sandbox?.bot.close();
  });
  return present ? describe : describe.skip;
}
