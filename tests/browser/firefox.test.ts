import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { browserAt } from './available';
import nock from 'nock';
import { startSandbox } from '../support/sandbox';
import { absenceToEscalationFlow, type BrowserDriver } from './flow';

/**
 * The same flow in Debian's Firefox ESR, driven by puppeteer-core over WebDriver BiDi
 * (no browser download). .ci/run installs firefox-esr.
 */
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
let browser: Browser;
let page: Page;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
const present = browserAt(FIREFOX, 'Firefox ESR');
const maybe = present ? describe : describe.skip;

beforeAll(async () => {
  if (!present) return;
  nock.enableNetConnect();
  sandbox = await startSandbox();
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: {
      // No traffic beyond loopback: this machine has no network, and the tests want none.
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'intl.accept_languages': 'zh-CN',
    },
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1360, height: 860 });
}, 90_000);

afterAll(async () => {
  if (!present) return;
  await browser?.close();
  await sandbox?.bot.close();
});

const driver = (): BrowserDriver => ({
  goto: async (url) => {
    await page.goto(url);
  },
  click: async (sel) => {
    // The sandbox re-renders its people list as messages arrive; puppeteer finds the element,
    // then scrolls and clicks it, and a re-render in between detaches it. Find it again then
    // (Playwright's click does this by itself).
    for (let attempt = 1; ; attempt++) {
      try {
        return await page.click(sel);
      } catch (err) {
        if (attempt >= 5 || !/detached/i.test(String(err))) throw err;
      }
    }
  },
  waitFor: async (predicate, timeout = 5000) => {
    await page.waitForFunction(predicate, { timeout });
  },
  evaluate: (script) => page.evaluate(script) as never,
});

maybe('the sandbox page in Firefox', () => {
  jest.setTimeout(90_000);

  it('chat, report an absence, fast-forward, and click the escalation card', async () => {
    await absenceToEscalationFlow(driver(), sandbox.url, sandbox.clock.now());
  });
});
