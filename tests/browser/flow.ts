import { DateTime } from 'luxon';
import { SchoolCalendar } from '../../src/domain/calendar';
import { loadSettings } from '../../src/config/settings';
import { Staff, Student } from '../../src/models/roster';
import type { StaffLike, StudentLike } from '../../src/domain/roster';

/**
 * The sandbox flow every browser must pass, written against a tiny driver so the same script
 * runs in Chromium (playwright-core) and Firefox (puppeteer-core over WebDriver BiDi).
 */
export interface BrowserDriver {
  goto(url: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Waits until `predicate` (run in the page) returns true. */
  waitFor(predicate: string, timeoutMs?: number): Promise<void>;
  evaluate<T>(script: string): Promise<T>;
  screenshot?(path: string): Promise<void>;
}

const js = JSON.stringify;
const textOf = (testid: string) =>
  `(document.querySelector('[data-testid=${testid}]')?.textContent ?? '')`;

export async function setValue(d: BrowserDriver, testid: string, value: string): Promise<void> {
  await d.evaluate(
    `(() => { const el = document.querySelector('[data-testid=${testid}]'); el.value = ${js(value)}; el.dispatchEvent(new Event('input', { bubbles: true })); })()`,
  );
}

async function send(d: BrowserDriver, text: string): Promise<void> {
  await setValue(d, 'input', text);
  await d.click('[data-testid=send]');
}

async function person(pred: (r: StaffLike['roles'][number]) => boolean): Promise<StaffLike> {
  return (await Staff.find({}).lean<StaffLike[]>()).find((p) => p.roles.some(pred))!;
}

/** 帮助; an absence as a head teacher; fast-forward; the escalation card at the grade leader; its button; the card updated. */
export async function absenceToEscalationFlow(
  d: BrowserDriver,
  url: string,
  now: Date,
  screenshot?: string,
): Promise<void> {
  const head = await person((r) => r.role === 'headTeacher' && r.classId === 'ZS01-3-1');
  const leader = await person(
    (r) => r.role === 'gradeLeader' && r.schoolCode === 'ZS01' && r.grade === 3,
  );
  const students = await Student.find({ classId: 'ZS01-3-1' })
    .sort({ studentNo: 1 })
    .lean<StudentLike[]>();
  const student = students.find(
    (s) => !s.atRisk && students.filter((t) => t.name === s.name).length === 1,
  )!;

  await d.goto(`${url}/sandbox`);
  await d.waitFor(`!!document.querySelector('[data-testid=person-${head.userid}]')`);
  if (!(await d.evaluate<string>(textOf('people'))).includes('区教体局'))
    throw new Error('people list lacks the bureau');

  await d.click(`[data-testid=person-${head.userid}]`);
  await send(d, '帮助');
  await d.waitFor(`${textOf('messages')}.includes('保学助手（控辍保学）能帮您')`);

  // The next Monday that is a school day, 08:00.
  const cal = new SchoolCalendar(loadSettings().calendar);
  let day = DateTime.fromJSDate(now, { zone: 'Asia/Shanghai' }).plus({ days: 1 });
  while (day.weekday !== 1 || !cal.isSchoolDay(day.toISODate()!)) day = day.plus({ days: 1 });
  await setValue(d, 'jump-at', `${day.toISODate()}T08:00`);
  await d.click('[data-testid=jump]');
  await d.waitFor(`${textOf('now')}.includes(${js(day.setLocale('zh-CN').toFormat('M月d日'))})`);

  await send(d, `缺勤 ${student.name} 全天 电话联系不上家长`);
  await d.waitFor(`${textOf('messages')}.includes(${js(`已记录：${student.name}`)})`);
  await d.waitFor(`${textOf('jobs')}.includes('截止检查')`);

  // Past the head teacher's visit deadline (end of the next school day).
  const next = cal.nextSchoolDay(day.toISODate()!);
  await setValue(d, 'jump-at', `${next}T18:05`);
  await d.click('[data-testid=jump]');
  await d.waitFor(
    `${textOf('now')}.includes(${js(DateTime.fromISO(next).setLocale('zh-CN').toFormat('M月d日'))})`,
  );

  // The grade leader has an unread escalation card; open it and click 已家访.
  await d.waitFor(
    `!!document.querySelector('[data-testid=person-${leader.userid}] .badge')`,
    10_000,
  );
  await d.click(`[data-testid=person-${leader.userid}]`);
  const escalation = `[...document.querySelectorAll('[data-testid=card]')].filter((c) => c.textContent.includes('【逾期】班主任家访')).pop()`;
  await d.waitFor(`!!${escalation}`);
  if (screenshot && d.screenshot) await d.screenshot(screenshot);
  await d.evaluate(
    `[...${escalation}.querySelectorAll('button')].find((b) => b.textContent === '已家访').click()`,
  );

  // Through template_card_event: the card is updated and the reply pushed.
  await d.waitFor(`(${escalation})?.querySelector('.done')?.textContent === '已家访'`, 15_000);
  await d.waitFor(`${textOf('messages')}.includes('已记录家访')`, 15_000);
}
