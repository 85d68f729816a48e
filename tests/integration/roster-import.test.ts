import mongoose from 'mongoose';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectDb } from '../../src/db/connect';
import { PiiCipher } from '../../src/lib/pii';
import { importRoster, describeImport } from '../../src/roster/import';
import { validateRoster } from '../../src/roster/validate';
import { readRoster, writeRoster, writeTemplate } from '../../src/roster/workbook';
import { exportRows } from '../../src/roster/apply';
import { demoRows } from '../../src/roster/demo';
import { DEMO_WORKBOOK } from '../../src/roster/demo-load';
import { School, SchoolClass, Staff, Student } from '../../src/models/roster';
import { SHEETS } from '../../src/roster/sheets';
import { generateCounty } from '../../src/roster/generate';
import { EnrollmentChange } from '../../src/models/enrollment-change';
import { testUri, TEST_DATA_KEY } from '../support/harness';
import ExcelJS from 'exceljs';

const pii = new PiiCipher(TEST_DATA_KEY);
const dir = mkdtempSync(path.join(tmpdir(), 'roster-'));
const file = (name: string) => path.join(dir, name);

/** Database commands issued, by name (the driver's command monitoring). */
const commands: string[] = [];
const tally = () => {
  const t: Record<string, number> = {};
  for (const c of commands.splice(0)) t[c] = (t[c] ?? 0) + 1;
  return t;
};

beforeAll(async () => {
  await connectDb(testUri(), { onCommand: (c) => commands.push(c) });
});
afterAll(async () => {
  await mongoose.disconnect();
});
beforeEach(async () => {
  await Promise.all([
    EnrollmentChange.deleteMany({}),
    School.deleteMany({}),
    SchoolClass.deleteMany({}),
    Staff.deleteMany({}),
    Student.deleteMany({}),
  ]);
});

/** A small valid roster; tests break one row at a time. */
function base() {
  return {
    schools: [['S1', '一小', '小学']],
    classes: [
      ['S1', '3', '1', ''],
      ['S1', '3', '2', ''],
    ],
    staff: [
      ['head1', '王芳', '班主任', 'S1', '3', '1'],
      ['lead3', '刘强', '中层领导', 'S1', '3', ''],
      ['dep', '陈静', '分管领导', 'S1', '', ''],
      ['prin', '赵校长', '校长', 'S1', '', ''],
      ['bur', '局员', '教育局', '', '', ''],
      ['sub1', '李老师', '科任教师', 'S1', '', ''],
    ],
    subjects: [['sub1', 'S1', '3', '1', '数学', '']],
    students: [
      [
        'G360203201501010001',
        '张三',
        '男',
        '2015-01-01',
        'S1',
        '3',
        '1',
        '在读',
        '张父',
        '父亲',
        '13812345678',
        '',
        '',
        '',
        '珠山区新厂街道1号',
        '否',
        '',
      ],
      [
        'G360203201501010002',
        '李四',
        '女',
        '2015-02-02',
        'S1',
        '3',
        '2',
        '在读',
        '李母',
        '母亲',
        '13987654321',
        '',
        '',
        '',
        '珠山区里村街道2号',
        '是',
        'dep',
      ],
    ],
  };
}

async function run(rows: ReturnType<typeof base>, opts = {}) {
  const f = file(`r${Math.random()}.xlsx`);
  await writeRoster(f, rows);
  return importRoster(f, pii, opts);
}

describe('import validation: each error kind, in plain Chinese, with sheet and row', () => {
  const cases: [string, (r: ReturnType<typeof base>) => void, RegExp, string][] = [
    [
      'missing class',
      (r) => {
        r.students[0][6] = '9';
      },
      /班级 S1 三年级9班 不存在/,
      '学生',
    ],
    [
      'duplicate 学籍号',
      (r) => {
        r.students[1][0] = r.students[0][0];
      },
      /学籍号 G360203201501010001 重复（第 2 行已有）/,
      '学生',
    ],
    [
      'unknown userid in 任课',
      (r) => {
        r.subjects[0][0] = 'ghost';
      },
      /账号「ghost」不在「教职工」表中/,
      '任课',
    ],
    [
      'unknown 包保领导',
      (r) => {
        r.students[1][16] = 'ghost';
      },
      /包保领导账号「ghost」不在「教职工」表中/,
      '学生',
    ],
    [
      'bad phone',
      (r) => {
        r.students[0][10] = '12345';
      },
      /监护人电话「12345」格式不对/,
      '学生',
    ],
    [
      'bad role',
      (r) => {
        r.staff[0][2] = '主任';
      },
      /角色「主任」不对/,
      '教职工',
    ],
    [
      'bad gender',
      (r) => {
        r.students[0][2] = 'M';
      },
      /性别「M」应为 男 或 女/,
      '学生',
    ],
    [
      'bad date',
      (r) => {
        r.students[0][3] = '2015-13-01';
      },
      /出生日期「2015-13-01」不对/,
      '学生',
    ],
    [
      'unknown school',
      (r) => {
        r.classes[0][0] = 'S9';
      },
      /学校代码「S9」不在「学校」表中/,
      '班级',
    ],
    [
      'no guardian',
      (r) => {
        r.students[0][8] = '';
        r.students[0][10] = '';
      },
      /至少需要一位监护人/,
      '学生',
    ],
    [
      'grade leader without grade',
      (r) => {
        r.staff[1][4] = '';
      },
      /中层领导需要填写所包的年级/,
      '教职工',
    ],
    [
      'bad 学籍号',
      (r) => {
        r.students[0][0] = 'abc';
      },
      /学籍号「abc」格式不对/,
      '学生',
    ],
    [
      'same userid, two names',
      (r) => {
        r.staff.push(['head1', '别人', '校长', 'S1', '', '']);
      },
      /已对应姓名「王芳」/,
      '教职工',
    ],
  ];
  it.each(cases)('%s', async (_n, breakIt, message, sheet) => {
    const rows = base();
    breakIt(rows);
    const out = await run(rows);
    expect(out.validation.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sheet, message: expect.stringMatching(message) }),
      ]),
    );
    expect(out.report).toBeUndefined();
    expect(await Student.countDocuments({})).toBe(0);
    expect(await Staff.countDocuments({})).toBe(0);
    expect(describeImport(out, {})).toMatch(/没有导入任何数据/);
  });

  it('--skip-invalid imports the valid rows and says what it skipped', async () => {
    const rows = base();
    rows.students[1][10] = 'bad';
    const out = await run(rows, { skipInvalid: true });
    expect(await Student.countDocuments({})).toBe(1);
    expect(describeImport(out, { skipInvalid: true })).toMatch(/已跳过 1 行/);
  });

  it('--dry-run writes nothing', async () => {
    const out = await run(base(), { dryRun: true });
    expect(out.validation.errors).toEqual([]);
    expect(await Student.countDocuments({})).toBe(0);
  });

  it('reports missing links in the chain at import time', async () => {
    const rows = base();
    rows.staff = rows.staff.filter((r) => r[0] !== 'lead3');
    const out = await run(rows);
    expect(out.validation.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/一小 三年级2班 没有班主任/),
        expect.stringMatching(/一小 三年级 没有中层领导/),
      ]),
    );
  });

  it('the template is well-formed: its example rows import cleanly', async () => {
    const f = file('template.xlsx');
    await writeTemplate(f);
    const out = await importRoster(f, pii, { dryRun: true });
    expect(out.validation.errors).toEqual([]);
    expect(out.validation.data.students).toHaveLength(1);
  });
});

describe('import is idempotent and reports changes', () => {
  it('re-importing the same file changes nothing', async () => {
    const first = await importRoster(DEMO_WORKBOOK, pii);
    expect(first.report!.created['学生']).toBe(200);
    const again = await importRoster(DEMO_WORKBOOK, pii);
    expect(again.report!.created).toEqual({});
    expect(again.report!.updated).toEqual({});
    expect(again.report!.unchanged['学生']).toBe(200);
  });

  it('a changed file updates in place and says what changed', async () => {
    await run(base());
    const rows = base();
    rows.students[0][10] = '13900000000'; // guardian phone
    rows.students[0][6] = '2'; // moved class
    const out = await run(rows);
    expect(out.report!.updated['学生']).toEqual([
      { key: 'G360203201501010001', fields: expect.arrayContaining(['classId', 'guardians']) },
    ]);
    expect(out.report!.unchanged['学生']).toBe(1);
    const s = await Student.findOne({ studentNo: 'G360203201501010001' }).lean<any>();
    expect(s.classId).toBe('S1-3-2');
    expect(pii.open(s.guardians[0].phoneSealed)).toBe('13900000000');
    expect(describeImport(out, {})).toMatch(/G360203201501010001 更新了/);
  });

  it('export → import (CSV folder) round-trips with no change', async () => {
    await importRoster(DEMO_WORKBOOK, pii);
    const csvDir = file('csv');
    await writeRoster(csvDir, await exportRows(pii));
    const out = await importRoster(csvDir, pii);
    expect(out.validation.errors).toEqual([]);
    expect(out.report!.updated).toEqual({});
    expect(out.report!.created).toEqual({});
  });

  it('the committed demo workbook is what the generator makes (≈200 students, a duplicate name in one school)', () => {
    const rows = demoRows();
    expect(rows.students!.length).toBe(200);
    const zs01 = rows.students!.filter((r) => r[4] === 'ZS01').map((r) => r[1]);
    expect(zs01.filter((n) => n === '李浩然')).toHaveLength(2);
    expect(Object.keys(SHEETS)).toHaveLength(5);
  });
});

describe('personal data at rest', () => {
  it('the raw document holds no plaintext phone or address', async () => {
    await run(base());
    const raw = await mongoose.connection
      .collection('students')
      .findOne({ studentNo: 'G360203201501010001' });
    const text = JSON.stringify(raw);
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('新厂街道');
    expect(text).toMatch(/v1:/);
  });
});

describe('issue 14 (roster import): every error of every row, in one run', () => {
  it('a student row with six mistakes lists all six, on one line by sheet and row', async () => {
    const rows = base();
    const s = rows.students[0];
    s[0] = '360203201501010001'; // 18 characters: an ID-card number, not a 学籍号
    s[2] = 'M';
    s[3] = '2015-02-30';
    s[7] = '毕业了';
    s[10] = '12345';
    s[15] = '可能';
    const out = await run(rows, { dryRun: true });
    const row2 = out.validation.errors.filter((e) => e.sheet === '学生' && e.row === 2);
    expect(row2.map((e) => e.message)).toEqual([
      expect.stringMatching(/学籍号「360203201501010001」只有 18 位.*G 或 L 开头，后跟 18 位/),
      expect.stringMatching(/性别「M」应为 男 或 女/),
      expect.stringMatching(/出生日期「2015-02-30」不对/),
      expect.stringMatching(/学籍状态「毕业了」不对，应为 在读、区内转出/),
      expect.stringMatching(/易辍对象「可能」应为 是 或 否/),
      expect.stringMatching(/监护人电话「12345」格式不对/),
    ]);
    const text = describeImport(out, { dryRun: true });
    expect(text).toMatch(/发现 6 处错误，涉及 1 行/);
    expect(text).toMatch(
      /「学生」表 第 2 行：学籍号.*；性别.*；出生日期.*；学籍状态.*；易辍对象.*；监护人电话/,
    );
  });

  it('errors in several sheets and rows are all reported together', async () => {
    const rows = base();
    rows.schools[0][2] = '大学';
    rows.staff[0][2] = '主任';
    rows.students[1][2] = '';
    const out = await run(rows, { dryRun: true });
    const where = out.validation.errors.map((e) => `${e.sheet}${e.row}`);
    expect(where).toEqual(expect.arrayContaining(['学校2', '教职工2', '学生3']));
  });

  it('accepts what people type: dates, phones, full-width digits (normalised)', async () => {
    const rows = base();
    const typed: [string, string, string][] = [
      ['2015/3/1', '138-1234-5678', '2015-03-01'],
      ['2015.3.1', '138 1234 5678', '2015-03-01'],
    ];
    rows.students[0][3] = typed[0][0];
    rows.students[0][10] = typed[0][1];
    rows.students[1][3] = typed[1][0];
    rows.students[1][10] = typed[1][1];
    rows.students[1][11] = '李父';
    rows.students[1][13] = '+86 139 8765 4321';
    rows.students[0][5] = '３'; // full-width grade
    rows.students[0][0] = 'Ｇ３６０２０３２０１５０１０１０００１';
    rows.classes[1][1] = '三年级';
    const out = await run(rows);
    expect(out.validation.errors).toEqual([]);
    const [a, b] = out.validation.data.students;
    expect([a.studentNo, a.birthDate, a.guardians[0].phone, a.classId]).toEqual([
      'G360203201501010001',
      '2015-03-01',
      '13812345678',
      'S1-3-1',
    ]);
    expect([b.birthDate, b.guardians.map((g) => g.phone)]).toEqual([
      '2015-03-01',
      ['13812345678', '13987654321'],
    ]);
    const r2 = base();
    r2.students[0][3] = '2015年3月1日';
    r2.students[0][10] = '０７９８－８２２１２３４';
    const out2 = await run(r2, { dryRun: true });
    expect(out2.validation.data.students[0].birthDate).toBe('2015-03-01');
    expect(out2.validation.data.students[0].guardians[0].phone).toBe('0798-8221234');
  });

  it('accepts an Excel date cell for 出生日期', async () => {
    const f = file('date-cell.xlsx');
    await writeRoster(f, base());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(f);
    wb.getWorksheet('学生')!.getCell('D2').value = new Date(Date.UTC(2015, 2, 1));
    await wb.xlsx.writeFile(f);
    const out = await importRoster(f, pii, { dryRun: true });
    expect(out.validation.errors).toEqual([]);
    expect(out.validation.data.students[0].birthDate).toBe('2015-03-01');
  });

  it('学籍号: G or L followed by 18 characters (last may be X); 18 characters is refused', async () => {
    const rows = base();
    rows.students[0][0] = 'L36020320150101000X';
    rows.students[1][0] = 'G36020320150101002'; // 18 in all
    const out = await run(rows, { dryRun: true });
    expect(out.validation.data.students.map((s) => s.studentNo)).toEqual(['L36020320150101000X']);
    expect(out.validation.errors[0].message).toMatch(/学籍号「G36020320150101002」格式不对/);
  });

  it('missing links are called 「导入前还需补齐」 while errors block the import, never 「已可导入」', async () => {
    const rows = base();
    rows.staff = rows.staff.filter((r) => r[0] !== 'lead3');
    rows.students[0][2] = 'M';
    const blocked = describeImport(await run(rows), {});
    expect(blocked).toMatch(/导入前还需补齐的责任链/);
    expect(blocked).not.toMatch(/已可导入/);
    rows.students[0][2] = '男';
    const ok = describeImport(await run(rows, { dryRun: true }), { dryRun: true });
    expect(ok).toMatch(/责任链缺口（已可导入/);
    const done = describeImport(await run(rows), {});
    expect(done).toMatch(/责任链缺口（已导入/);
  });
});

describe('issue 14 (roster template): instructions, allowed values, dropdowns', () => {
  async function template() {
    const f = file('tpl.xlsx');
    await writeTemplate(f);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(f);
    return wb;
  }

  it('has a 说明 sheet explaining each sheet and column, with the 学籍号 rule', async () => {
    const wb = await template();
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '说明',
      '可选值',
      '学校',
      '班级',
      '教职工',
      '任课',
      '学生',
    ]);
    const text: string[] = [];
    wb.getWorksheet('说明')!.eachRow((r) => text.push((r.values as string[]).join(' ')));
    const all = text.join('\n');
    expect(all).toMatch(/学籍号.*G 或 L 开头，后跟 18 位（数字，最后一位可以是 X）/);
    for (const s of ['学校', '班级', '教职工', '任课', '学生']) expect(all).toContain(s);
    expect(all).toMatch(/可选：男、女/);
  });

  it('dropdowns (data validation) for 学段, 角色, 性别, 学籍状态, 易辍对象, 监护人关系', async () => {
    const wb = await template();
    const dv = (sheet: string, cell: string) =>
      (wb.getWorksheet(sheet) as any).dataValidations.find(cell);
    expect(dv('学校', 'C2')).toMatchObject({ type: 'list', formulae: ["'可选值'!$A$2:$A$4"] });
    for (const [sheet, cell] of [
      ['教职工', 'C5'],
      ['学生', 'C2'],
      ['学生', 'H10'],
      ['学生', 'P2'],
      ['学生', 'J2'],
      ['学生', 'M2'],
    ])
      expect(dv(sheet, cell)).toMatchObject({ type: 'list' });
    const lists = wb.getWorksheet('可选值')!;
    expect(lists.getColumn(1).values).toEqual([undefined, '学段', '小学', '初中', '九年一贯制']);
  });

  it('学籍号 and phones are text columns; headers are frozen', async () => {
    const wb = await template();
    const ws = wb.getWorksheet('学生')!;
    expect(ws.getColumn(1).numFmt).toBe('@');
    expect(ws.getColumn(11).numFmt).toBe('@');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('a workbook whose shared strings follow its sheets (as Excel may save it) still reads', async () => {
    const f = file('shared.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: f, useSharedStrings: true });
    const rows = base();
    for (const key of Object.keys(SHEETS) as (keyof typeof SHEETS)[]) {
      const ws = wb.addWorksheet(SHEETS[key].title);
      ws.addRow([...SHEETS[key].columns]).commit();
      for (const r of rows[key]) ws.addRow(r).commit();
      ws.commit();
    }
    await wb.commit();
    const out = await importRoster(f, pii, { dryRun: true });
    expect(out.validation.errors).toEqual([]);
    expect(out.validation.data.students.map((x) => x.name)).toEqual(['张三', '李四']);
  });

  it('a workbook made with the old template (no 说明 sheet) still imports', async () => {
    const f = file('old.xlsx');
    const wb = new ExcelJS.Workbook();
    const rows = base();
    for (const key of Object.keys(SHEETS) as (keyof typeof SHEETS)[]) {
      const ws = wb.addWorksheet(SHEETS[key].title);
      ws.addRow([...SHEETS[key].columns]);
      for (const r of rows[key]) ws.addRow(r);
    }
    await wb.xlsx.writeFile(f);
    const out = await importRoster(f, pii);
    expect(out.validation.errors).toEqual([]);
    expect(out.report!.created['学生']).toBe(2);
  });
});

describe('issue 11 (import): batched writes, no per-row round trips', () => {
  it('a 2,500-student county: a few reads, then inserts in batches of 1,000', async () => {
    const f = file('county.xlsx');
    await writeRoster(f, generateCounty({ students: 2500, schools: 6, staff: 220 }));
    tally();
    const out = await importRoster(f, pii);
    expect(out.validation.errors).toEqual([]);
    expect(out.report!.created['学生']).toBe(2500);
    const t = tally();
    // schools 1 + classes 1 + staff 1 + students 3 batches: 6 inserts for ~2,800 rows.
    expect(t.insert).toBe(6);
    // Then the per-class counters of the ~60 classes written: one read of their students and
    // one bulkWrite (an `update` command) per 100 classes.
    expect(t.update ?? 0).toBe(1);
    expect(t.find + t.aggregate).toBeLessThanOrEqual(6);
    // Re-importing the same file reads and writes nothing.
    const again = await importRoster(f, pii);
    expect(again.report!.unchanged['学生']).toBe(2500);
    const t2 = tally();
    expect([t2.insert ?? 0, t2.update ?? 0]).toEqual([0, 0]);
  });

  it('a changed file: one bulkWrite of the changed rows, enrollment changes in one insert', async () => {
    await run(base());
    const rows = base();
    rows.students[0][7] = '休学'; // status change
    rows.students[1][1] = '李思'; // renamed
    for (const n of ['3', '4']) {
      const extra = [...rows.students[0]];
      extra[0] = `G36020320150101000${n}`;
      extra[1] = `新生${n}`;
      extra[7] = '在读';
      rows.students.push(extra);
    }
    tally();
    const out = await run(rows);
    expect(out.report!.created['学生']).toBe(2);
    expect(out.report!.updated['学生'].map((u) => u.fields)).toEqual([['status'], ['name']]);
    // Inserts: students, changes; updates: one bulkWrite of students, one of the class counters,
    // and for the renamed student one of cases and one of duties (the names the lists show).
    expect(tally()).toMatchObject({ insert: 2, update: 4 });
    const changes = await EnrollmentChange.find({}).sort({ studentNo: 1 }).lean();
    expect(changes.map((c) => [c.studentNo, c.from, c.to])).toEqual([
      ['G360203201501010001', 'enrolled', 'suspended'],
      ['G360203201501010003', 'new', 'enrolled'],
      ['G360203201501010004', 'new', 'enrolled'],
    ]);
  });
});

describe('issue 11 (generate): an invented county workbook', () => {
  const rows = generateCounty({ students: 5600, schools: 7, staff: 380 });
  const students = rows.students;

  it('is deterministic and valid, with primary, junior and nine-year schools', () => {
    expect(generateCounty({ students: 5600, schools: 7, staff: 380 })).toEqual(rows);
    const v = validateRoster(toRaw(rows));
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]); // every class, grade and school has its people
    expect(new Set(rows.schools.map((s) => s[2]))).toEqual(new Set(['小学', '初中', '九年一贯制']));
    expect(students).toHaveLength(5600);
    expect(new Set(rows.staff.map((r) => r[0])).size).toBe(380);
  });

  it('classes of about 40–50; 2–3 % at risk, each with a named leader; some two guardians', () => {
    const sizes = new Map<string, number>();
    for (const s of students)
      sizes.set(`${s[4]}-${s[5]}-${s[6]}`, (sizes.get(`${s[4]}-${s[5]}-${s[6]}`) ?? 0) + 1);
    const big = [...sizes.values()].filter((n) => n >= 40);
    expect([...sizes.values()].every((n) => n <= 50)).toBe(true);
    expect(big.length / sizes.size).toBeGreaterThan(0.8);
    const atRisk = students.filter((s) => s[15] === '是');
    expect(atRisk.length / students.length).toBeGreaterThan(0.015);
    expect(atRisk.length / students.length).toBeLessThan(0.035);
    expect(atRisk.every((s) => s[16])).toBe(true);
    const two = students.filter((s) => s[11]).length / students.length;
    expect(two).toBeGreaterThan(0.2);
    expect(two).toBeLessThan(0.5);
  });

  it('names: common surnames most frequent, duplicates within a school, guardians fit', () => {
    const share = (c: string) =>
      students.filter((s) => s[1].startsWith(c)).length / students.length;
    expect(share('王')).toBeGreaterThan(0.05);
    expect(share('王')).toBeGreaterThan(share('曹') * 4);
    const first = rows.schools[0][0];
    const names = students.filter((s) => s[4] === first).map((s) => s[1]);
    expect(new Set(names).size).toBeLessThan(names.length);
    for (const s of students.slice(0, 500)) {
      if (s[9] === '父亲') expect(s[8][0]).toBe(s[1][0]); // a father shares the surname
    }
    const subjects = new Map(rows.schools.map((s) => [s[0], s[2]]));
    const primaryPhysics = rows.subjects.filter(
      (r) => subjects.get(r[1]) === '小学' && r[4] === '物理',
    );
    expect(primaryPhysics).toEqual([]);
  });
});

/** Rows as the reader would give them (header → text), for validating without a file. */
function toRaw(rows: Partial<Record<keyof typeof SHEETS, string[][]>>) {
  const out: Record<string, { row: number; values: Record<string, string> }[]> = {};
  for (const key of Object.keys(SHEETS) as (keyof typeof SHEETS)[])
    out[key] = (rows[key] ?? []).map((r, i) => ({
      row: i + 2,
      values: Object.fromEntries(SHEETS[key].columns.map((c, j) => [c, r[j] ?? ''])),
    }));
  return out;
}

describe('issue 14 (demo district): plausible, and the same structure', () => {
  const rows = demoRows();

  it('guardians fit their relation; primary teachers teach primary subjects; valid 学籍号s', async () => {
    const v = validateRoster(await readRoster(DEMO_WORKBOOK));
    expect(v.errors).toEqual([]); // every 学籍号 is G + 18 under the new rule
    for (const s of rows.students!) {
      if (s[9] === '父亲') expect(s[8][0]).toBe(s[1][0]);
      expect(['父亲', '母亲']).toContain(s[9]);
    }
    const mothers = rows.students!.filter((s) => s[9] === '母亲').map((s) => s[8].slice(1));
    expect(mothers.filter((g) => ['建国', '国强', '建华', '志刚'].includes(g))).toEqual([]);
    const primary = rows.subjects!.filter((r) => r[1] === 'ZS01').map((r) => r[4]);
    expect(primary.filter((x) => ['物理', '历史', '化学', '地理'].includes(x))).toEqual([]);
    expect(v.data.classes.map((c) => c.name)).toContain('五年级1班');
    expect(v.data.classes.every((c) => /^[一二三四五六七八九]年级\d+班$/.test(c.name))).toBe(true);
  });

  it('keeps the schools, classes, the two 李浩然 in ZS01, 张欣怡 in ZS01-3-1, staff counts', () => {
    expect(rows.schools!.map((s) => s.slice(0, 2))).toEqual([
      ['ZS01', '珠山区第一小学'],
      ['ZS02', '珠山区第二中学'],
    ]);
    expect(rows.students!.filter((s) => s[1] === '李浩然' && s[4] === 'ZS01')).toHaveLength(2);
    expect(rows.students!.find((s) => s[1] === '张欣怡')!.slice(4, 7)).toEqual(['ZS01', '3', '1']);
    expect(rows.staff).toHaveLength(36);
    expect(rows.students!.filter((s) => s[15] === '是')).toHaveLength(12);
  });
});
