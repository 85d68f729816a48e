import { R, PART_LABEL } from '../../src/cases/replies';
import {
  dutyDoneInstead,
  dutyDoneLate,
  dutyEscalated,
  dutyOpened,
  dutyReminder,
  dutyWithdrawn,
  moved,
  type About,
} from '../../src/cases/notices';
import {
  DUTY,
  DUTY_KINDS,
  ACTION_LABEL,
  CARD_ACTIONS,
  actionCommand,
} from '../../src/domain/cases/duties';
import type { Duty } from '../../src/domain/cases/derive';
import { GATES, GATE_LABEL } from '../../src/domain/cases/gates';
import { ACTIONS, SCHOOL_ACTIONS, refusal } from '../../src/domain/policy';
import { summary } from '../../src/chat/commands/help';
import { GREETING, THANKS, TOO_LONG, notUnderstood } from '../../src/chat/answers';
import type { DayPart } from '../../src/domain/cases/facts';
import type { RoleName } from '../../src/domain/roster';
import { commandTable } from '../support/commands';

/**
 * Issue #14 item 4: every reply template, command usage, duty label and fixed answer, rendered
 * with sample data, reads well: no doubled words, balanced brackets, no English words.
 */
const NAME = '毛一鸣';
const DAY = '2026-12-02';
const due = new Date('2026-12-03T10:00:00Z');
const about: About = {
  caseId: 'c1',
  name: NAME,
  className: '三年级1班',
  awayDays: 2,
  who: (ids) => ids.map((i) => (i === 'u1' ? '王芳' : '李明')).join('、'),
};
const duty = (kind: (typeof DUTY_KINDS)[number]): Duty => ({
  dutyId: `d-${kind}`,
  kind,
  holders: ['u1'],
  day: kind === 'checkAttendance' ? DAY : undefined,
  openAt: due,
  dueAt: due,
  status: 'open',
  metBy: 'u2',
});

function rendered(): [where: string, text: string][] {
  const out: [string, string][] = [];
  const add = (where: string, text: string | undefined) => text && out.push([where, text]);
  const parts = Object.keys(PART_LABEL) as DayPart[];
  add('R.notEnrolled', R.notEnrolled(NAME));
  add('R.future', R.future(DAY));
  add('R.notSchoolDay', R.notSchoolDay(DAY, '周六'));
  add('R.onLeave', R.onLeave(NAME, DAY, '2026-12-04'));
  add('R.alreadyByYou', R.alreadyByYou(NAME, DAY));
  add('R.alreadyBy', R.alreadyBy(NAME, DAY, '李明'));
  add('R.undoHint', R.undoHint(NAME, 30));
  add('R.noCase', R.noCase(NAME));
  for (const p of parts) {
    add(`R.absenceTold ${p}`, R.absenceTold('三年级1班', NAME, DAY, p, '李明', '发烧'));
    add(`R.absenceTold ${p} no reason`, R.absenceTold('三年级1班', NAME, DAY, p, '李明', ''));
  }
  for (const kind of DUTY_KINDS) {
    const d = duty(kind);
    add(`label ${kind}`, DUTY[kind].label);
    const opened = dutyOpened(about, d, 'nobody');
    add(`opened ${kind}`, opened?.card?.fallback ?? opened?.text);
    add(`opened line ${kind}`, opened?.line);
    add(`reminder ${kind}`, dutyReminder(about, d).card?.fallback);
    for (const n of dutyEscalated(about, d, ['u3']))
      add(`escalated ${kind}`, `${n.card?.fallback ?? n.text}\n${n.line}`);
    for (const n of dutyEscalated(about, d, [])) add(`overdue ${kind}`, n.text);
    add(`instead ${kind}`, dutyDoneInstead(about, d).text);
    add(`late ${kind}`, dutyDoneLate(about, d, ['u3']).text);
    add(`withdrawn ${kind}`, dutyWithdrawn(about, DUTY[kind].label, d.dutyId, ['u1']).text);
  }
  for (const action of CARD_ACTIONS) {
    add(`button ${action}`, ACTION_LABEL[action]);
    add(`typed ${action}`, actionCommand(action, NAME));
  }
  GATES.forEach((gate, i) => {
    add(`gate ${gate}`, GATE_LABEL[gate]);
    const m = { gate, at: due, by: 'u2', why: '连续三个上学日未到校', inferred: false };
    add(`moved ${gate}`, moved(about, m, i, ['u1'], 'nobody')?.text);
  });
  for (const a of [...ACTIONS, ...SCHOOL_ACTIONS]) add(`refusal ${a}`, refusal(a));
  const commands = commandTable();
  for (const c of commands) {
    add(`summary ${c.name}`, c.summary);
    add(`usage ${c.name}`, c.usage);
  }
  const roles: (RoleName[] | undefined)[] = [
    undefined,
    ['subjectTeacher'],
    ['headTeacher'],
    ['gradeLeader'],
    ['deputy'],
    ['principal'],
    ['bureau'],
  ];
  for (const r of roles) add(`help ${r?.join()}`, summary(commands, { roles: r }));
  add('greeting', GREETING);
  add('thanks', THANKS);
  add('too long', TOO_LONG);
  add('not understood', notUnderstood(commands, ['缺勤', '请假'], null));
  add('not understood, nothing near', notUnderstood(commands, [], null));
  return out;
}

const PAIRS: [string, string][] = [
  ['（', '）'],
  ['「', '」'],
  ['【', '】'],
  ['(', ')'],
];

function balanced(text: string): boolean {
  const stack: string[] = [];
  for (const ch of text) {
    const open = PAIRS.find(([o]) => o === ch);
    if (open) stack.push(open[1]);
    else if (PAIRS.some(([, c]) => c === ch) && stack.pop() !== ch) return false;
  }
  return stack.length === 0;
}

describe('issue #14 item 4: every reply template reads well', () => {
  const all = rendered();
  it('renders a good number of templates', () => expect(all.length).toBeGreaterThan(150));
  it.each(all)('%s: no doubled words', (_where, text) =>
    expect(text).not.toMatch(/(\p{Script=Han}{2,})\1/u),
  );
  it.each(all)('%s: balanced brackets', (_where, text) => expect(balanced(text)).toBe(true));
  it.each(all)('%s: no English words', (_where, text) =>
    expect(text).not.toMatch(/\b(?!G\d)[A-Za-z]{2,}\b/),
  );
  it.each(all)('%s: never calls the sender 你', (_where, text) => expect(text).not.toMatch(/你/));
});
