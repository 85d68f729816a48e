import { useBot, advance } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { Staff, Student, type StaffRow, type StudentRow } from '../../src/models/roster';

/**
 * The sandbox tester's item 6: one push per recipient per sweep when it has several items (the
 * digest), and never a card plus a text for the same event to the same person.
 */
const t = useBot({ clock: new ManualClock('2026-11-30T08:00:00+08:00') });

it('进入劝返: the deputy gets one card (the move in its sub-title), not a card and a text', async () => {
  const { d } = t;
  await t.say(d.head, `缺勤 ${d.plain.name}`);
  await advance(t.bot, '2026-12-01T09:00:00+08:00');
  const check = t.wecom
    .to(d.head.userid)
    .map((m) => m.card)
    .filter((c) => c?.button_list?.some((b: { text: string }) => b.text === '仍未到校'))
    .pop()!;
  const key = check.button_list!.find(
    (b: { text: string; key: string }) => b.text === '仍未到校',
  )!.key;
  await t.bot.say({ as: d.head.userid, event: 'template_card_event', key, taskId: check.task_id });
  t.bot.clock.set('2026-12-01T16:00:00+08:00');
  t.wecom.sent.length = 0;
  await t.say(d.gradeLeader, `家访 ${d.plain.name} 与班主任一同上门，家长不同意返校`);
  await advance(t.bot, t.bot.clock.now());
  const got = t.wecom.to(d.deputy.userid);
  expect(got).toHaveLength(1);
  expect(got[0].card?.main_title?.title).toMatch(/^劝返/);
  expect(got[0].card?.sub_title_text).toMatch(/^【进入劝返】.*学校领导已亲自家访/);
  // The head teacher has no card about it: still told, by text.
  expect(t.pushes(d.head)).toMatch(/【进入劝返】/);
});

it('23 escalations in one sweep reach the deputy as one digest', async () => {
  const { d } = t;
  t.bot.clock.set('2026-12-07T08:00:00+08:00');
  const kids = await Student.find({
    schoolCode: 'ZS01',
    grade: 3,
    studentNo: { $ne: d.plain.studentNo },
  })
    .limit(23)
    .lean<StudentRow[]>();
  const unique = kids.filter((k) => kids.filter((x) => x.name === k.name).length === 1);
  for (const k of unique) {
    const head = await Staff.findOne({
      roles: { $elemMatch: { role: 'headTeacher', classId: k.classId } },
    }).lean<StaffRow>();
    await t.say(head!.userid, `缺勤 ${k.name}`);
  }
  await advance(t.bot, '2026-12-07T12:00:00+08:00');
  t.wecom.sent.length = 0;
  await advance(t.bot, '2026-12-08T20:00:00+08:00');
  expect(unique.length).toBeGreaterThan(15);
  const digests = t.wecom.to(d.deputy.userid).filter((m) => /【待办汇总】/.test(m.content ?? ''));
  expect(digests).toHaveLength(1);
  expect(digests[0].content).toMatch(new RegExp(`您有 ${unique.length} 项新的事项`));
});
