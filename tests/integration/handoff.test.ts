import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { advance, testSettings, useBot } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { writeRoster } from '../../src/roster/workbook';
import { importRoster } from '../../src/roster/import';
import { Handoff } from '../../src/models/handoff';
import { Student } from '../../src/models/roster';
import { recountClasses } from '../../src/roster/counts';

/** A small district with a graduating class: primary P1 (grade 6), junior J1. */
const rows = {
  schools: [
    ['P1', '一小', '小学'],
    ['J1', '一中', '初中'],
  ],
  classes: [
    ['P1', '6', '1', ''],
    ['J1', '7', '1', ''],
  ],
  staff: [
    ['pp', '小学校长', '校长', 'P1', '', ''],
    ['pd', '小学分管', '分管领导', 'P1', '', ''],
    ['ph', '六年级班主任', '班主任', 'P1', '6', '1'],
    ['jp', '初中校长', '校长', 'J1', '', ''],
    ['bu', '局员', '教育局', '', '', ''],
  ],
  subjects: [],
  students: [1, 2, 3].map((i) => [
    `G36020320140101000${i}`,
    `毕业生${i}`,
    '男',
    '2014-01-01',
    'P1',
    '6',
    '1',
    '在读',
    '家长',
    '父亲',
    '13800000000',
    '',
    '',
    '',
    '某地',
    '否',
    '',
  ]),
};

// The next school year's autumn semester is configured, so the autumn check is scheduled.
const settings = testSettings((st) => {
  st.calendar.semesters.push({ name: '2027年秋季学期', start: '2027-09-01', end: '2028-01-21' });
});
const t = useBot({
  clock: new ManualClock('2027-06-01T08:00:00+08:00'),
  cycles: true,
  settings,
  demo: false,
});
beforeAll(async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ho-')), 'r.xlsx');
  await writeRoster(file, rows);
  await importRoster(file, t.bot.services.pii);
  await t.bot.features.handoffs.ensure();
});

const { say, pushes } = t;

describe('义务教育交接 (二(三)2(1))', () => {
  it('reminds the primary school three weeks before the spring semester ends', async () => {
    await advance(t.bot, '2027-06-11T09:01:00+08:00'); // 2027-07-02 − 21 days
    expect(pushes('pp')).toMatch(/【毕业交接】一小 六年级 3 名毕业生须全部送入本地初中就读/);
  });

  it('hands the list to the junior school, which is asked to visit families in advance; once only', async () => {
    expect(await say('ph', '毕业交接 一中')).toMatch(/由小学的校长或分管领导办理/);
    expect(await say('pp', '毕业交接 二中')).toMatch(/没有找到初中「二中」/);
    expect(await say('pp', '毕业交接 一中')).toMatch(
      /已把 3 名毕业生的名单交给 一中.*开学一周后我会核查/,
    );
    await advance(t.bot, t.bot.clock.now());
    expect(pushes('jp')).toMatch(
      /【毕业生交接】一小 向贵校交接 3 名小学毕业生[\s\S]*1\. 毕业生1（六年级1班[\s\S]*提前组织教师深入学生家中/,
    );
    expect(await say('pd', '毕业交接 一中')).toMatch(/已经交接过了/);
    expect(await Handoff.countDocuments({})).toBe(3);
  });

  it('the junior school records its advance visits against the list', async () => {
    expect(await say('pp', '交接家访 G360203201401010001 见到父母')).toMatch(
      /没有找到交接给贵校的学生/,
    );
    expect(
      await say('jp', '交接家访 G360203201401010001 见到父母，孩子想读初中，家庭经济困难'),
    ).toMatch(/已记录交接前家访.*还有 2 人未家访/);
    expect(await Handoff.findOne({ studentNo: 'G360203201401010001' }).lean()).toMatchObject({
      visitedBy: 'jp',
    });
  });

  it("a week into autumn, graduates not on the junior school's roll are reported to the bureau and both schools", async () => {
    // Two of the three are registered at the junior school (e.g. by its roster import).
    await Student.updateMany(
      { studentNo: { $in: ['G360203201401010001', 'G360203201401010002'] } },
      { $set: { schoolCode: 'J1', classId: 'J1-7-1', grade: 7 } },
    );
    await recountClasses(); // as a roster write would
    expect(
      (await t.bot.services.scheduler.pending()).find((j) => j.key === 'handoff:check:2027')?.at,
    ).toEqual(new Date('2027-09-08T09:00:00+08:00'));
    await advance(t.bot, '2027-09-08T09:01:00+08:00'); // a week into the autumn semester
    expect(await Handoff.countDocuments({ arrivedAt: { $exists: true } })).toBe(2);
    expect(pushes('bu')).toMatch(
      /【交接核查】一小 交接给 一中 的毕业生中，1 人开学一周后仍未在初中注册：毕业生3（其中 1 人未做交接前家访）/,
    );
    expect(pushes('jp')).toMatch(/【交接核查】/);
  });
});
