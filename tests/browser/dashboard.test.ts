import type { Page } from 'playwright-core';
import { chromiumOnSandbox, type Sandbox } from './available';
import { AuditEntry } from '../../src/models/audit';
import { OutboxMessage } from '../../src/outbox/model';

/**
 * Issue #12 "Web dashboard" in Debian's Chromium: a principal signs in through the sandbox
 * picker, sees their school's pages (with the ECharts chart drawn from Baoxue's own copy),
 * then opens another school's URL and is refused (403, audited), and sends a notice from the
 * 通知 form (预览, then 发送).
 */
let page: Page;
let sandbox: Sandbox;
// A phone-sized viewport: the pages must be readable there.
const maybe = chromiumOnSandbox({ width: 390, height: 844 }, (it) => ({ page, sandbox } = it));

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

    // 通知: the form, 预览 (nothing sent), 发送 (the outbox's group rows), the record below.
    await page.goto(`${sandbox.url}/dashboard/ZS01/overview`);
    await page.click('nav >> text=通知');
    await page.waitForURL(/\/dashboard\/ZS01\/notices$/);
    await page.selectOption('[data-testid=roles]', 'headTeacher');
    await page.fill('[data-testid=content]', '浏览器里发的通知：明天下午开会');
    await Promise.all([page.waitForURL(/\/preview$/), page.click('[data-testid=preview-button]')]);
    expect(await page.textContent('[data-testid=audience]')).toBe('珠山区第一小学的全体班主任');
    expect(Number(await page.textContent('[data-testid=count]'))).toBeGreaterThan(0);
    const id = await page.getAttribute('[data-testid=preview] input[name=id]', 'value');
    expect(await OutboxMessage.countDocuments({ group: id })).toBe(0);
    await Promise.all([page.waitForURL(/\/send$/), page.click('[data-testid=send]')]);
    expect(await page.textContent('[data-testid=message]')).toContain('已开始发送');
    expect(await page.textContent('table')).toContain('浏览器里发的通知');
    expect(await OutboxMessage.countDocuments({ group: id, kind: 'group_text' })).toBe(1);

    await Promise.all([page.waitForURL(/\/dashboard\/login$/), page.click('[data-testid=logout]')]);
  });
});
