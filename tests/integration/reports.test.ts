import { advance, testSettings, useBot } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { CaseFact } from '../../src/models/case';
import { Report } from '../../src/models/report';
import { Staff, Student } from '../../src/models/roster';
import type { StaffLike } from '../../src/domain/roster';
import ExcelJS from 'exceljs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportPeriod } from '../../src/reports/export';
import { recountClasses } from '../../src/roster/counts';

let zs02: { principal: StaffLike; deputy: StaffLike };

// The cycle alone: no 入学注册关 check opening cases for the whole demo district at term start.
const settings = testSettings((x) => (x.ladder.registrationCheckSchoolDay = 0));
const t = useBot({
  clock: new ManualClock('2026-11-30T08:00:00+08:00'),
  cycles: true,
  settings,
});
beforeAll(async () => {
  const staff = await Staff.find({}).lean<StaffLike[]>();
  const of = (role: string) =>
    staff.find((p) => p.roles.some((r) => r.role === role && r.schoolCode === 'ZS02'))!;
  zs02 = { principal: of('principal'), deputy: of('deputy') };
  await t.bot.features.reporting.ensureCycles();
});

const { say } = t;
const { pushes } = t;

describe("the bureau's reporting cycle", () => {
  it('schedules the next runs at start-up, idempotently', async () => {
    await t.bot.features.reporting.ensureCycles();
    const names = (await t.bot.services.scheduler.pending()).map((j) => `${j.name} ${j.key}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'report.monthly cycle:monthly:2026-12',
        'report.quarterly cycle:quarterly:2026-12',
        'report.campaign cycle:campaign:2027-03',
      ]),
    );
    expect(names.filter((n) => n.startsWith('report.monthly'))).toHaveLength(1);
  });

  it('monthly: drafts go to each school on the 1st, a submission reaches the bureau, a missing one is flagged after the 7th', async () => {
    // A dropout confirmed in November at school ZS01.
    await CaseFact.create({
      factId: 'F1',
      caseId: 'C1',
      studentNo: t.d.plain.studentNo,
      schoolCode: t.d.plain.schoolCode,
      classId: t.d.plain.classId,
      grade: t.d.plain.grade,
      type: 'dropoutConfirmed',
      actor: t.d.principal.userid,
      channel: 'wecom',
      at: new Date('2026-11-20T10:00:00+08:00'),
      detail: '随父母外出务工',
    });
    await advance(t.bot, '2026-12-01T09:01:00+08:00');
    expect(pushes(t.d.principal)).toMatch(
      new RegExp(
        `【流失生月报】珠山区第一小学 2026年11月：\\n流失生 1 人：\\n1\\. ${t.d.plain.name}`,
      ),
    );
    expect(pushes(t.d.principal)).toMatch(/12月7日 周一 18:00 前发送「提交月报」/);
    expect(pushes(zs02.principal)).toMatch(/2026年11月：\n2026年11月无流失生/);

    expect(await say(t.d.head, '提交月报')).toMatch(/由学校校长或分管领导操作/);
    expect(await say(t.d.principal, '提交月报')).toMatch(
      /已上报 珠山区第一小学 2026年11月流失生月报：流失生 1 人/,
    );
    await advance(t.bot, t.bot.clock.now());
    expect(pushes(t.d.bureau)).toMatch(
      new RegExp(
        `【流失生月报·已上报】珠山区第一小学 2026年11月.*\\n流失生 1 人：\\n1\\. ${t.d.plain.name}.*随父母外出务工`,
      ),
    );

    await advance(t.bot, '2026-12-07T18:01:00+08:00');
    expect(pushes(t.d.bureau)).toMatch(/【逾期未报】珠山区第二中学 2026年11月流失生月报/);
    expect(pushes(zs02.deputy)).toMatch(/已逾期/);
    expect(await Report.findOne({ key: 'ZS01:monthly:2026-11' }).lean()).toMatchObject({
      status: 'submitted',
      submittedBy: t.d.principal.userid,
    });
    expect(await Report.findOne({ key: 'ZS02:monthly:2026-11' }).lean()).toMatchObject({
      status: 'late',
    });

    const status = await say(t.d.bureau, '报告情况');
    expect(status).toMatch(/珠山区第一小学：已上报（流失生 1 人：）/);
    expect(status).toMatch(/珠山区第二中学：逾期未报/);
    expect(await say(zs02.principal, '提交月报')).toMatch(/（逾期）：2026年11月无流失生/);
  });

  it('the bureau can export the period as a workbook: who reported when, and the dropouts in detail', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rep-')), '月报.xlsx');
    expect(await exportPeriod('2026-11', file)).toEqual({ schools: 2, rows: 1 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    // Row 1 is the title, row 2 the header, then the schools, then the totals row.
    const status = wb
      .getWorksheet('上报情况')!
      .getSheetValues()
      .slice(3)
      .map((r: any) => [r[1], r[2]]);
    expect(status).toEqual([
      ['珠山区第一小学', '已上报'],
      ['珠山区第二中学', '已上报'],
      ['合计 2 所学校', undefined],
    ]);
    const detail = wb.getWorksheet('流失生明细')!.getRow(3).values as any[];
    expect(detail.slice(1)).toEqual([
      '珠山区第一小学',
      '三年级1班',
      t.d.plain.name,
      t.d.plain.studentNo,
      new Date('2026-11-20T00:00:00Z'),
      '随父母外出务工',
    ]);
    await expect(exportPeriod('2026/11', file)).rejects.toThrow(/期间格式应为 2026-11/);
  });

  it("quarterly: the enrollment-change table by the 15th of the quarter's last month", async () => {
    const reply = await say(t.d.principal, '提交季报');
    expect(reply).toMatch(/已上报 珠山区第一小学 2026年第4季度学籍变动季报：学籍现状：在读 \d+/);
    await advance(t.bot, t.bot.clock.now());
    expect(pushes(t.d.bureau)).toMatch(
      /【学籍变动季报·已上报】珠山区第一小学 2026年第4季度.*\n学籍现状：在读 \d+，区内转出 0/,
    );
    expect(pushes(t.d.bureau)).toMatch(/本季度辍学：\n1\. /);
    expect(pushes(t.d.bureau)).toMatch(/期初在籍 \d+ \+ 增加 0 − 减少 0 = 期末在籍 \d+/);
  });

  it('home-visit quotas: a teacher sees their count, a leader sees who is behind', async () => {
    expect(await say(t.d.head, `家访 ${t.d.plain.name} 上门了解情况，约定周一返校`)).toMatch(
      /本学期您已家访 1 人次（要求不少于 20 人次）/,
    );
    await say(t.d.head, `家访 ${t.d.students[2].name} 学期初例行家访，家庭支持孩子上学`);
    expect(await say(t.d.head, '家访统计')).toMatch(
      /已家访 2 人次，要求不少于 20 人次，还差 18 人次/,
    );
    const leader = await say(t.d.gradeLeader, '家访统计');
    expect(leader).toMatch(new RegExp(`未达标的老师.*${t.d.head.name} 2/20`));
  });

  it("巩固率: retention for the sender's scope and the no-dropout recognition", async () => {
    await Student.updateOne({ studentNo: t.d.plain.studentNo }, { $set: { status: 'droppedOut' } });
    await recountClasses(); // as a roster write would
    try {
      expect(await say(t.d.head, '巩固率')).toMatch(/巩固率 96\.00%（在籍 24 人，流失 1 人）/);
      const school = await say(t.d.principal, '巩固率');
      expect(school).toMatch(/有流失的班级：三年级1班 96\.00%/);
      expect(school).toMatch(/无流失生年级：一年级、五年级/);
      const district = await say(t.d.bureau, '巩固率');
      expect(district).toMatch(/无流失生学校：珠山区第二中学/);
      expect(await say(t.d.otherHead, '巩固率')).toMatch(/本班是「无流失生班级」/);
    } finally {
      await Student.updateOne({ studentNo: t.d.plain.studentNo }, { $set: { status: 'enrolled' } });
      await recountClasses();
    }
  });

  it('campaign months and the end-of-semester visit round reach the teachers', async () => {
    await advance(t.bot, '2027-03-01T09:01:00+08:00');
    expect(pushes(t.d.head)).toMatch(
      /【集中家访】2026年秋季学期期末集中家访开始了.*本学期您已家访 2 人次，要求不少于 20 人次/,
    );
    expect(pushes(t.d.head)).toMatch(/【控辍保学活动月】3月是控辍保学活动月/);
    expect((await t.bot.services.scheduler.pending()).map((j) => j.key)).toContain(
      'cycle:campaign:2027-09',
    );
  }, 300_000); // three months of jobs on the embedded server: ~65 s alone on this 2-core machine, over 120 s with the whole suite beside it
});
