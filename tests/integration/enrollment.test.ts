import { advance, textOf, useBot } from '../support/harness';
import { ManualClock } from '../../src/lib/clock';
import { Student, Staff } from '../../src/models/roster';
import { Case } from '../../src/models/case';
import { EnrollmentChange } from '../../src/models/enrollment-change';
import { Report } from '../../src/models/report';
import type { StaffLike } from '../../src/domain/roster';
import { applyRoster } from '../../src/roster/apply';
import { validateRoster } from '../../src/roster/validate';
import { readRoster } from '../../src/roster/workbook';
import { DEMO_WORKBOOK } from '../../src/roster/demo-load';
import { exportPeriod } from '../../src/reports/export';
import ExcelJS from 'exceljs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recountClasses } from '../../src/roster/counts';

const t = useBot({ clock: new ManualClock('2026-12-01T10:00:00+08:00') });

const { say } = t;

describe('学籍变动 (二(三)2(1)(3)): transfers, suspension, and a quarterly table that reconciles', () => {
  it('a transfer within the district, with an open case, is a request until the receiving school confirms (issue #9)', async () => {
    const s = t.d.students[3];
    await say(t.d.head, `缺勤 ${s.name}`);
    expect(await say(t.d.subject, `转出 ${s.name} 区内 珠山区第二中学`)).toMatch(
      /由本班班主任或学校领导登记/,
    );
    expect(await say(t.d.head, `转出 ${s.name} 珠山区第二中学`)).toMatch(/请写明区内还是区外/);
    const reply = await say(t.d.head, `转出 ${s.name} 区内 珠山区第二中学 已办理转学手续`);
    expect(reply).toMatch(new RegExp(`已登记转学申请：${s.name} → 珠山区第二中学`));
    expect(reply).toMatch(/须由珠山区第二中学 确认学生已到校后才结案/);
    await advance(t.bot, t.bot.clock.now());
    const zs02 = (await Staff.find({}).lean<StaffLike[]>()).find((p) =>
      p.roles.some((r) => r.role === 'principal' && r.schoolCode === 'ZS02'),
    )!;
    expect(t.wecom.to(zs02.userid).map(textOf).join()).toMatch(new RegExp(`【转入通知】${s.name}`));
    expect(await Student.findOne({ studentNo: s.studentNo }).lean()).toMatchObject({
      status: 'enrolled',
    });
    expect(await Case.findOne({ studentNo: s.studentNo }).lean()).toMatchObject({
      open: true,
      transferPending: true,
    });
    expect(await say(zs02, `转学确认 ${s.studentNo} 已到校报到`)).toMatch(/转学完成/);
    expect(await Student.findOne({ studentNo: s.studentNo }).lean()).toMatchObject({
      status: 'transferredInDistrict',
    });
    expect(await Case.findOne({ studentNo: s.studentNo }).lean()).toMatchObject({
      gate: 'closed',
    });
    expect(await EnrollmentChange.findOne({ studentNo: s.studentNo }).lean()).toMatchObject({
      from: 'enrolled',
      to: 'transferredInDistrict',
      destination: '珠山区第二中学',
      actor: zs02.userid,
    });
    expect(await say(t.d.head, `缺勤 ${s.name}`)).toMatch(/学籍状态不是在读/);
  });

  it('an out-of-district transfer reminds the school to use the registry system', async () => {
    expect(
      await say(t.d.deputy, `转出 ${t.d.students[4].name} 区外 浙江省义乌市稠城小学 随父母务工`),
    ).toMatch(/请及时在中小学学籍系统办理转学/);
  });

  it('suspension and its end: no absences while suspended', async () => {
    const s = t.d.students[5];
    expect(await say(t.d.head, `休学 ${s.name}`)).toMatch(/请写明休学原因/);
    expect(await say(t.d.head, `休学 ${s.name} 因病住院治疗`)).toMatch(
      /已登记休学.*复课时请发「复课/,
    );
    expect(await say(t.d.head, `缺勤 ${s.name}`)).toMatch(/学籍状态不是在读/);
    expect(await say(t.d.head, `复课 ${s.name}`)).toMatch(/已登记复课/);
    expect(await Student.findOne({ studentNo: s.studentNo }).lean()).toMatchObject({
      status: 'enrolled',
    });
  });

  it('the quarterly table lists the changes and reconciles; next quarter is checked against it', async () => {
    await t.bot.features.reporting.onQuarterly({ month: '2026-12' });
    const q4 = await say(t.d.principal, '提交季报');
    expect(q4).toMatch(/已上报 珠山区第一小学 2026年第4季度学籍变动季报/);
    const report = await Report.findOne({ key: 'ZS01:quarterly:2026-Q4' }).lean<any>();
    expect(report.content).toMatch(/区内转出 1，转出区外 1，休学 1，休学复课 1/);
    expect(report.content).toMatch(/期初在籍 100 \+ 增加 0 − 减少 2 = 期末在籍 98/);
    expect(report.content).toMatch(/转出去向：.* → 珠山区第二中学；.* → 浙江省义乌市稠城小学/);
    expect(report.onRollEnd).toBe(98);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'q-')), '季报.xlsx');
    await exportPeriod('2026-Q4', file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const rows = wb
      .getWorksheet('学籍变动')!
      .getSheetValues()
      .slice(3, -1)
      .map((r: any) => [r[5], r[6]]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['区内转出', '珠山区第二中学'],
        ['转出区外', '浙江省义乌市稠城小学'],
        ['休学', ''],
        ['休学复课', ''],
      ]),
    );

    // A change made behind the bot's back (no record) shows up as a mismatch next quarter.
    await Student.updateOne(
      { studentNo: t.d.students[6].studentNo },
      { $set: { status: 'graduated' } },
    );
    await recountClasses(); // as a roster write would
    t.bot.clock.set('2027-03-01T10:00:00+08:00');
    await t.bot.features.reporting.onQuarterly({ month: '2027-03' });
    await say(t.d.principal, '提交季报');
    const q1 = await Report.findOne({ key: 'ZS01:quarterly:2027-Q1' }).lean<any>();
    expect(q1.content).toMatch(
      /期初在籍 97 .* = 期末在籍 97；上期上报期末为 98，相差 -1，请核查是否有未登记的学籍变动/,
    );
  });

  it('a later roster import records status and school changes as enrollment changes', async () => {
    const wb = await readRoster(DEMO_WORKBOOK);
    const row = wb.students!.find((r) => r.values['学籍号'] === t.d.students[7].studentNo)!;
    row.values['学籍状态'] = '毕业';
    await EnrollmentChange.deleteMany({});
    await applyRoster(validateRoster(wb).data, t.bot.services.pii, undefined, {
      actor: 'admin',
      channel: 'cli',
      at: new Date(),
    });
    const changes = await EnrollmentChange.find({}).lean<any[]>();
    expect(changes.map((c) => [c.studentNo, c.from, c.to])).toEqual(
      expect.arrayContaining([[t.d.students[7].studentNo, 'enrolled', 'graduated']]),
    );
  });
});
