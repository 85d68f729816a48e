import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import nock from 'nock';
import { DateTime } from 'luxon';
import { startSandbox } from '../support/sandbox';
import { SchoolCalendar } from '../../src/domain/calendar';
import { loadSettings } from '../../src/config/settings';
import { Staff, Student } from '../../src/models/roster';
import type { StaffLike, StudentLike } from '../../src/domain/roster';

/**
 * The sandbox page in a real headless Chromium (Debian's, driven by playwright-core):
 * chat as anyone, fast-forward the clock, receive and click a template card.
 * Set BAOXUE_SCREENSHOT=docs/sandbox.png to refresh the README's screenshot.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;
let page: Page;
let sandbox: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
  nock.enableNetConnect();
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs Debian's chromium`);
  sandbox = await startSandbox();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 860 }, locale: 'zh-CN' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.bot.close();
});

async function person(pred: (r: StaffLike['roles'][number]) => boolean): Promise<StaffLike> {
  return (await Staff.find({}).lean<StaffLike[]>()).find((p) => p.roles.some(pred))!;
}

async function send(text: string): Promise<void> {
  await page.fill('[data-testid=input]', text);
  await page.click('[data-testid=send]');
}

describe('the sandbox page', () => {
  jest.setTimeout(90_000);

  it('chat as a head teacher, report an absence, fast-forward, and handle the escalation card as the grade leader', async () => {
    const head = await person((r) => r.role === 'headTeacher' && r.classId === 'ZS01-3-1');
    const leader = await person((r) => r.role === 'gradeLeader' && r.schoolCode === 'ZS01' && r.grade === 3);
    const students = await Student.find({ classId: 'ZS01-3-1' }).sort({ studentNo: 1 }).lean<StudentLike[]>();
    const student = students.find((s) => !s.atRisk && students.filter((t) => t.name === s.name).length === 1)!;

    await page.goto(`${sandbox.url}/sandbox`);
    await page.waitForSelector(`[data-testid=person-${head.userid}]`);
    expect(await page.textContent('[data-testid=people]')).toContain('区教体局');

    // 帮助 through the real encrypted callback path.
    await page.click(`[data-testid=person-${head.userid}]`);
    await send('帮助');
    await page.waitForFunction(() => document.querySelector('[data-testid=messages]')!.textContent!.includes('保学助手可以帮您'));

    // Move the sandbox clock to the next Monday 08:00 that is a school day.
    const cal = new SchoolCalendar(loadSettings().calendar);
    let day = DateTime.fromJSDate(sandbox.clock.now(), { zone: 'Asia/Shanghai' }).plus({ days: 1 });
    while (day.weekday !== 1 || !cal.isSchoolDay(day.toISODate()!)) day = day.plus({ days: 1 });
    await page.fill('[data-testid=jump-at]', `${day.toISODate()}T08:00`);
    await page.click('[data-testid=jump]');
    await page.waitForFunction((label) => document.querySelector('[data-testid=now]')!.textContent!.includes(label), day.setLocale('zh-CN').toFormat('M月d日'));

    await send(`缺勤 ${student.name} 全天 电话联系不上家长`);
    await page.waitForFunction((name) => document.querySelector('[data-testid=messages]')!.textContent!.includes(`已记录：${name}`), student.name);
    await page.waitForFunction(() => document.querySelector('[data-testid=jobs]')!.textContent!.includes('截止检查'));

    // Fast-forward past the head teacher's visit deadline (end of the next school day).
    const next = cal.nextSchoolDay(day.toISODate()!);
    await page.fill('[data-testid=jump-at]', `${next}T18:05`);
    await page.click('[data-testid=jump]');
    await page.waitForFunction((label) => document.querySelector('[data-testid=now]')!.textContent!.includes(label), DateTime.fromISO(next).setLocale('zh-CN').toFormat('M月d日'));

    // The grade leader has an unread escalation card.
    await page.waitForSelector(`[data-testid=person-${leader.userid}] .badge`, { timeout: 10_000 });
    await page.click(`[data-testid=person-${leader.userid}]`);
    const card = page.locator('[data-testid=card]', { hasText: '【逾期】班主任家访' }).last();
    await card.waitFor();
    if (process.env.BAOXUE_SCREENSHOT) await page.screenshot({ path: process.env.BAOXUE_SCREENSHOT, fullPage: false });
    await card.getByRole('button', { name: '已家访' }).click();

    // The click went through template_card_event; the card is updated and the reply pushed.
    await card.locator('.done', { hasText: '已家访' }).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=messages]')!.textContent!.includes('已记录家访'), undefined, { timeout: 15_000 });
  });

  it('plays the guided demo from its button', async () => {
    page.once('dialog', (d) => d.accept());
    await page.click('[data-testid=demo]');
    await page.waitForFunction(() => document.querySelector('[data-testid=log]')!.textContent!.includes('演示结束'), undefined, { timeout: 60_000 });
    const log = await page.textContent('[data-testid=log]');
    expect(log).toContain('【逾期】班主任家访');
    expect(log).toContain('卡片已更新：已家访');
  });

  it('is readable on a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(400);
    await page.setViewportSize({ width: 1360, height: 860 });
  });
});
