import type { Page } from 'playwright-core';
import { chromiumOnSandbox, type Sandbox } from './available';
import { absenceToEscalationFlow, type BrowserDriver } from './flow';

/**
 * The sandbox page in Debian's Chromium, driven by playwright-core. Set
 * BAOXUE_SCREENSHOT=docs/sandbox.png to refresh the README's screenshot.
 */
let page: Page;
let sandbox: Sandbox;
const maybe = chromiumOnSandbox({ width: 1360, height: 860 }, (it) => ({ page, sandbox } = it));

const driver = (): BrowserDriver => ({
  goto: async (url) => {
    await page.goto(url);
  },
  click: (sel) => page.click(sel),
  waitFor: async (predicate, timeout = 5000) => {
    await page.waitForFunction(predicate, undefined, { timeout });
  },
  evaluate: (script) => page.evaluate(script),
  screenshot: async (path) => {
    await page.screenshot({ path });
  },
});

maybe('the sandbox page in Chromium', () => {
  jest.setTimeout(90_000);

  it('chat as a head teacher, report an absence, fast-forward, and handle the escalation card as the grade leader', async () => {
    await absenceToEscalationFlow(
      driver(),
      sandbox.url,
      sandbox.clock.now(),
      process.env.BAOXUE_SCREENSHOT,
    );
  });

  it('plays the guided demo from its button', async () => {
    page.once('dialog', (d) => d.accept());
    await page.click('[data-testid=demo]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=log]')!.textContent!.includes('演示结束'),
      undefined,
      { timeout: 60_000 },
    );
    const log = await page.textContent('[data-testid=log]');
    expect(log).toContain('【逾期】班主任家访');
    expect(log).toContain('卡片已更新：已家访');
  });

  it('is readable on a narrow screen (no horizontal scrolling)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      400,
    );
    await page.setViewportSize({ width: 1360, height: 860 });
  });
});
