import type { Browser, Page } from 'playwright-core';
import nock from 'nock';
import { browserAt, CHROMIUM, launchChromium } from './available';
import { startSandbox } from '../support/sandbox';
import { AuditEntry } from '../../src/models/audit';

/**
 * Issue #12 "Web dashboard" in Debian's Chromium: a principal signs in through the sandbox
 * picker, sees their school's pages (with the ECharts chart drawn from Baoxue's own copy),
 * then opens another school's URL and is refused (403, audited).
 */
let browser: Browser;
let page: Page;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;
const present = browserAt(CHROMIUM, 'Chromium');
const maybe = present ? describe : describe.skip;

beforeAll(async () => {
  if (!present) return;
  nock.enableNetConnect();
  sandbox = await startSandbox();
  browser = await launchChromium();
  // A phone-sized viewport: the pages must be readable there.
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
}, 60_000);

afterAll(async () => {
  if (!present) return;
  await browser?.close();
  await sandbox?.bot.close();
});

maybe('the dashboard in Chromium', () => {
  jest.setTimeout(60_000);

  it('a principal signs in with the picker, sees the school, and another school is refused', async () => {
    await page.goto(`${sandbox.url}/sandbox/`);
    const href = await page.getAttribute('[data-testid=dashboard-link]', 'href');
    await page.goto(`${sandbox.url}${href}`);
    expect(page.url()).toMatch(/\/dashboard\/login$/);
    const options = await page.$$eval('[data-testid=who] option', (os) =>
      os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })),
    );
    expect(options.every((o) => /区教体局|校长|分管领导/.test(o.text))).toBe(true);
    const principal = options.find((o) => o.text.includes('珠山区第一小学校长'))!;
    await page.selectOption('[data-testid=who]', principal.value);
    await Promise.all([
      page.waitForURL(/\/dashboard\/ZS01\/overview$/),
      page.click('[data-testid=signin]'),
    ]);
    expect(await page.textContent('header')).toContain('珠山区第一小学');
    await page.waitForFunction(() => !!document.querySelector('#chart canvas'));
    await page.click('nav >> text=巩固率');
    await page.waitForURL(/\/dashboard\/ZS01\/retention$/);
    expect(await page.textContent('table')).toContain('珠山区第一小学');

    const res = await page.goto(`${sandbox.url}/dashboard/ZS02/overview`);
    expect(res?.status()).toBe(403);
    expect(await page.textContent('main')).toContain('您只能查看本校的数据');
    expect(
      await AuditEntry.countDocuments({
        actor: principal.value,
        action: 'viewDashboard',
        target: 'ZS02',
        outcome: 'refused',
      }),
    ).toBe(1);

    await page.goto(`${sandbox.url}/dashboard/ZS01/overview`);
    await Promise.all([page.waitForURL(/\/dashboard\/login$/), page.click('[data-testid=logout]')]);
  });
});
