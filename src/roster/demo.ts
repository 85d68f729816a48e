import { pinyin } from 'pinyin-pro';
import { writeRoster } from './workbook';
import type { SheetKey } from './sheets';
import { subjectsOf } from './generate';
import { rng } from './people';

/**
 * Generates the demo district (config/demo/demo-district.xlsx): a primary and a junior middle
 * school, staff in every role, ~200 invented students (two with the same name in one school).
 * Deterministic (seeded), so the committed workbook can be regenerated exactly:
 *   npx tsx src/roster/demo.ts
 */
import { DEMO_WORKBOOK as DEMO_FILE } from './demo-load';

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶',
  ...'程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛',
  ...'郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN_BOY = [
  '浩然',
  '子轩',
  '宇航',
  '俊杰',
  '博文',
  '天佑',
  '明轩',
  '梓豪',
  '一鸣',
  '思远',
  '家豪',
  '文博',
  '嘉懿',
  '晨阳',
  '志强',
  '伟',
  '鹏',
  '磊',
  '子墨',
  '承泽',
  '睿',
  '昊天',
  '瑞霖',
  '泽宇',
];
const GIVEN_GIRL = [
  '欣怡',
  '梓涵',
  '诗涵',
  '雨桐',
  '可馨',
  '佳怡',
  '紫萱',
  '思琪',
  '语嫣',
  '若曦',
  '雅静',
  '梦瑶',
  '芷若',
  '婉清',
  '晓琳',
  '静',
  '婷',
  '丽娜',
  '雨萱',
  '一诺',
  '心怡',
  '子涵',
  '欣妍',
  '馨予',
];
const STREETS = [
  '新厂街道',
  '里村街道',
  '周路口街道',
  '新村街道',
  '太白园街道',
  '昌江大道',
  '竟成镇',
];
const ESTATES = [
  '陶瓷小区',
  '珠山花园',
  '瓷都新村',
  '昌南苑',
  '御窑小区',
  '莲花塘小区',
  '人民新村',
];
/** Subjects a head teacher may also teach (one draw, as the district has always been made). */
const HEAD_SUBJECTS = ['语文', '数学', '英语'];
const FATHER_GIVEN = ['建国', '国强', '建华', '志刚', '海涛', '卫东', '永强', '立新'];
const MOTHER_GIVEN = ['秀英', '桂兰', '海燕', '丽华', '红梅', '玉兰', '雪梅', '春燕'];

type Rows = Required<Record<SheetKey, string[][]>>;
const SCHOOLS = [
  {
    code: 'ZS01',
    name: '珠山区第一小学',
    kind: '小学',
    classes: [
      [1, 1],
      [3, 1],
      [3, 2],
      [5, 1],
    ],
  },
  {
    code: 'ZS02',
    name: '珠山区第二中学',
    kind: '初中',
    classes: [
      [7, 1],
      [7, 2],
      [8, 1],
      [9, 1],
    ],
  },
];
type DemoSchool = (typeof SCHOOLS)[number];

/**
 * The demo district. The random draws happen in the same order as when the district was
 * first made, so names, userids, birth dates and 学籍号s stay what other tests and the
 * guided demo know; only what was implausible (a 父亲 with a woman's name, 物理 in a
 * primary school) is drawn from fitting lists.
 */
class Demo {
  readonly rand = rng(20261128);
  readonly rows: Rows = { schools: [], classes: [], staff: [], subjects: [], students: [] };
  private readonly used = new Set<string>();
  private seq = 0;

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  userid(name: string): string {
    const base = pinyin(name, { toneType: 'none', type: 'array' }).join('');
    let id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}${i}`;
    this.used.add(id);
    return id;
  }

  person(role: string, school: string, grade = '', no = '', name?: string): string {
    const given = [...GIVEN_BOY, ...GIVEN_GIRL, '建国', '秀英', '桂兰', '国强', '海燕', '建华'];
    const full = name ?? this.pick(SURNAMES) + this.pick(given);
    const id = this.userid(full);
    this.rows.staff.push([id, full, role, school, grade, no]);
    return id;
  }

  school(s: DemoSchool): void {
    this.rows.schools.push([s.code, s.name, s.kind]);
    this.person('校长', s.code);
    const deputy = this.person('分管领导', s.code);
    const grades = [...new Set(s.classes.map(([g]) => g))];
    const leaders = new Map(grades.map((g) => [g, this.person('中层领导', s.code, String(g))]));
    for (const [g, n] of s.classes) this.schoolClass(s, g, n, leaders.get(g)!, deputy);
  }

  /** A class of 25; its head teacher also teaches; two subject teachers, one owning five. */
  schoolClass(s: DemoSchool, g: number, n: number, leader: string, deputy: string): void {
    const [grade, no] = [String(g), String(n)];
    this.rows.classes.push([s.code, grade, no, '']);
    const head = this.person('班主任', s.code, grade, no);
    const drawn = this.pick(HEAD_SUBJECTS);
    const own = subjectsOf(g).includes(drawn) ? drawn : '语文';
    this.rows.subjects.push([head, s.code, grade, no, own, '']);
    const teachers = [0, 1].map(() => this.person('科任教师', s.code));
    const students: string[] = [];
    for (let i = 0; i < 25; i++) students.push(this.student(s, g, n, i, [leader, deputy]));
    const others = subjectsOf(g).filter((x) => x !== own);
    this.rows.subjects.push([teachers[0], s.code, grade, no, others[g % others.length], '']);
    const second = others[(g + 1) % others.length];
    this.rows.subjects.push([
      teachers[1],
      s.code,
      grade,
      no,
      second,
      students.slice(0, 5).join('、'),
    ]);
  }

  student(s: DemoSchool, g: number, n: number, i: number, [leader, deputy]: string[]): string {
    let boy = this.rand() < 0.5;
    let name = this.pick(SURNAMES) + this.pick(boy ? GIVEN_BOY : GIVEN_GIRL);
    // Two students named 李浩然 in ZS01 (different classes), one 张欣怡 for homophone demos.
    if (s.code === 'ZS01' && i === 0 && (n === 2 || g === 5)) [name, boy] = ['李浩然', true];
    if (s.code === 'ZS01' && g === 3 && n === 1 && i === 1) [name, boy] = ['张欣怡', false];
    const year = 2026 - (g + 6) + (this.rand() < 0.8 ? 0 : -1);
    const month = pad(1 + Math.floor(this.rand() * 12));
    const birth = `${year}-${month}-${pad(1 + Math.floor(this.rand() * 28))}`;
    this.seq++;
    const no = `G360203${birth.replaceAll('-', '')}${String(this.seq).padStart(4, '0')}`;
    const prefix = this.pick(PHONE_PREFIXES);
    const phone = `1${prefix}${String(Math.floor(this.rand() * 1e8)).padStart(8, '0')}`;
    const father = this.rand() < 0.6;
    // A father shares the child's surname; a mother has her own (no draw: kept in step).
    const mother = SURNAMES[(this.seq * 7 + 3) % SURNAMES.length];
    const guardian = father ? name[0] + this.pick(FATHER_GIVEN) : mother + this.pick(MOTHER_GIVEN);
    const atRisk = i === 24 || (i === 23 && g >= 7);
    const street = `${this.pick(STREETS)}${this.pick(ESTATES)}`;
    const house = `${1 + Math.floor(this.rand() * 20)}栋${1 + Math.floor(this.rand() * 6)}0`;
    const address = `珠山区${street}${house}${1 + Math.floor(this.rand() * 4)}`;
    this.rows.students.push([
      ...[no, name, boy ? '男' : '女', birth, s.code, String(g), String(n), '在读'],
      ...[guardian, father ? '父亲' : '母亲', phone, '', '', '', address],
      atRisk ? '是' : '否',
      atRisk ? (i === 24 ? leader : deputy) : '',
    ]);
    return no;
  }
}

const PHONE_PREFIXES = ['38', '39', '58', '59', '86', '87', '36', '77'];
const pad = (n: number) => String(n).padStart(2, '0');

export function demoRows(): Partial<Record<SheetKey, string[][]>> {
  const demo = new Demo();
  // Bureau staff first so their ids are stable and short.
  demo.person('教育局', '', '', '', '程立新');
  demo.person('教育局', '', '', '', '周海燕');
  for (const s of SCHOOLS) demo.school(s);
  return demo.rows;
}

if (require.main === module) {
  writeRoster(DEMO_FILE, demoRows()).then(() => console.log(`wrote ${DEMO_FILE}`));
}
